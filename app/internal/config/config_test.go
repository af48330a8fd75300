package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	goodToken = "0123456789abcdef"
	password  = "s3cr3t-pa55word"
	goodURL   = "postgres://goapi:" + password + "@db:5432/goapi?sslmode=require"
)

// valid is the smallest valid environment plus extra.
func valid(extra map[string]string) map[string]string {
	env := map[string]string{"API_TOKEN": goodToken, "DATABASE_URL": goodURL}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

func lookup(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

func TestDefaults(t *testing.T) {
	c, err := Load(lookup(valid(nil)))
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		Port: 8080, MetricsPort: 9090, LogLevel: slog.LevelInfo, AppEnv: "development",
		APIToken: goodToken, DrainDelay: 5 * time.Second, ShutdownTimeout: 15 * time.Second,
		MaxBodyBytes: 1 << 20, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second,
		IdleTimeout: 60 * time.Second,
		Database:    Database{URL: goodURL, MaxConns: 5, StatementTimeout: 5 * time.Second},
	}
	if c != want {
		t.Fatalf("defaults:\n got %+v\nwant %+v", c, want)
	}
}

func TestOverrides(t *testing.T) {
	c, err := Load(lookup(valid(map[string]string{
		"DB_MAX_CONNS": "12", "DB_STATEMENT_TIMEOUT": "750ms", "PORT": "8000", "METRICS_PORT": "9000", "LOG_LEVEL": "debug",
		"APP_ENV": "prod", "DRAIN_DELAY": "0s", "SHUTDOWN_TIMEOUT": "20s", "MAX_BODY_BYTES": "4096",
	})))
	if err != nil {
		t.Fatal(err)
	}
	if c.Port != 8000 || c.MetricsPort != 9000 || c.LogLevel != slog.LevelDebug || c.AppEnv != "prod" ||
		c.DrainDelay != 0 || c.ShutdownTimeout != 20*time.Second || c.MaxBodyBytes != 4096 ||
		c.Database.MaxConns != 12 || c.Database.StatementTimeout != 750*time.Millisecond {
		t.Fatalf("overrides not applied: %+v", c)
	}
}

func TestBadValues(t *testing.T) {
	cases := []struct {
		name, key, value, wantVar, wantReason string
	}{
		{"missing token", "API_TOKEN", "", "API_TOKEN", "is required"},
		{"short token", "API_TOKEN", "short-secret", "API_TOKEN", "at least 16 characters"},
		{"port not a number", "PORT", "http", "PORT", `"http" is not a port number`},
		{"port out of range", "PORT", "70000", "PORT", "between 1 and 65535"},
		{"metrics port zero", "METRICS_PORT", "0", "METRICS_PORT", "not a port number"},
		{"ports equal", "METRICS_PORT", "8080", "METRICS_PORT", "must differ from PORT"},
		{"log level", "LOG_LEVEL", "loud", "LOG_LEVEL", "not one of debug, info, warn, error"},
		{"app env", "APP_ENV", "Prod!", "APP_ENV", "lower-case letters"},
		{"drain not a duration", "DRAIN_DELAY", "5", "DRAIN_DELAY", "not a duration"},
		{"negative drain", "DRAIN_DELAY", "-1s", "DRAIN_DELAY", "below the minimum"},
		{"shutdown too short", "SHUTDOWN_TIMEOUT", "10ms", "SHUTDOWN_TIMEOUT", "below the minimum of 1s"},
		{"shutdown too long", "SHUTDOWN_TIMEOUT", "29s", "SHUTDOWN_TIMEOUT", "must stay below"},
		{"body limit", "MAX_BODY_BYTES", "-3", "MAX_BODY_BYTES", "not a positive number"},
		{"read timeout", "READ_TIMEOUT", "soon", "READ_TIMEOUT", "not a duration"},
		{"write timeout", "WRITE_TIMEOUT", "0s", "WRITE_TIMEOUT", "below the minimum"},
		{"idle timeout", "IDLE_TIMEOUT", "1h1", "IDLE_TIMEOUT", "not a duration"},
		{"no database", "DATABASE_URL", "", "DATABASE_URL", "is required"},
		{"database URL", "DATABASE_URL", "postgres://goapi:" + password + "@db:port/goapi", "DATABASE_URL", "not a PostgreSQL connection URL"},
		{"database DSN", "DATABASE_URL", "host=db password=" + password + " sslmode=maybe", "DATABASE_URL", "not a PostgreSQL connection URL"},
		{"pool size zero", "DB_MAX_CONNS", "0", "DB_MAX_CONNS", "whole number from 1 to 100"},
		{"pool size huge", "DB_MAX_CONNS", "1000", "DB_MAX_CONNS", "whole number from 1 to 100"},
		{"statement timeout", "DB_STATEMENT_TIMEOUT", "10ms", "DB_STATEMENT_TIMEOUT", "below the minimum of 100ms"},
		{"statement timeout too long", "DB_STATEMENT_TIMEOUT", "10s", "DB_STATEMENT_TIMEOUT", "below WRITE_TIMEOUT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(lookup(valid(map[string]string{tc.key: tc.value})))
			if err == nil {
				t.Fatalf("%s=%q accepted", tc.key, tc.value)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, tc.wantVar+": ") || !strings.Contains(msg, tc.wantReason) {
				t.Fatalf("message %q should name %s and say %q", msg, tc.wantVar, tc.wantReason)
			}
			if strings.Contains(msg, "\n") {
				t.Fatalf("message %q spans lines", msg)
			}
			if strings.Contains(msg, password) {
				t.Fatalf("message %q holds the database password", msg)
			}
		})
	}
}

func TestTokenNeverInMessage(t *testing.T) {
	_, err := Load(lookup(valid(map[string]string{"API_TOKEN": "hunter2"})))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v must reject the token without echoing it", err)
	}
}

func TestDatabaseURLNeverPrints(t *testing.T) {
	c, err := Load(lookup(valid(nil)))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "db", c.Database, "url", c.Database.URL)
	for _, s := range []string{fmt.Sprintf("%v %+v %#v %s", c, c, c, c.Database.URL), logs.String()} {
		if strings.Contains(s, password) || !strings.Contains(s, "[redacted]") {
			t.Fatalf("the URL printed: %s", s)
		}
	}
	if c.Database.URL.Reveal() != goodURL {
		t.Fatal("Reveal must give the URL back")
	}
}

// migrate reads only what it needs: a migration Job has no API token.
func TestLoadMigrate(t *testing.T) {
	m, err := LoadMigrate(lookup(map[string]string{"DATABASE_URL": goodURL, "LOG_LEVEL": "warn", "PORT": "not read"}))
	if err != nil || m.URL.Reveal() != goodURL || m.LogLevel != slog.LevelWarn {
		t.Fatalf("%+v %v", m, err)
	}
	if _, err := LoadMigrate(lookup(nil)); err == nil || !strings.HasPrefix(err.Error(), "DATABASE_URL: ") {
		t.Fatalf("no URL: %v", err)
	}
	if p, err := LoadPort(lookup(map[string]string{"PORT": "8081"})); p != 8081 || err != nil {
		t.Fatalf("LoadPort: %d %v", p, err)
	}
}

// Every bad or missing variable is reported at once, one per line, each as
// it would be alone; a rule between two variables is checked only when both
// are good, so it never reports a consequence of another line.
func TestEveryProblemAtOnce(t *testing.T) {
	vars := func(err error) []string {
		t.Helper()
		var list Errors
		if !errors.As(err, &list) {
			t.Fatalf("%v is not a list of problems", err)
		}
		var names []string
		for _, e := range list {
			names = append(names, e.Var)
		}
		if got := strings.Count(err.Error(), "\n") + 1; got != len(list) {
			t.Fatalf("%d problems on %d lines: %q", len(list), got, err)
		}
		return names
	}
	cases := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"nothing set", nil, []string{"API_TOKEN", "DATABASE_URL"}},
		{"bad values and rules broken", map[string]string{
			"PORT": "eighty", "METRICS_PORT": "8080", "LOG_LEVEL": "loud", "API_TOKEN": "short", "DATABASE_URL": goodURL,
			"DRAIN_DELAY": "20s", "SHUTDOWN_TIMEOUT": "15s", "DB_STATEMENT_TIMEOUT": "20s",
		}, []string{"PORT", "LOG_LEVEL", "API_TOKEN", "SHUTDOWN_TIMEOUT", "DB_STATEMENT_TIMEOUT"}},
		{"a rule whose other variable is bad", valid(map[string]string{"WRITE_TIMEOUT": "soon", "DB_STATEMENT_TIMEOUT": "9s", "DRAIN_DELAY": "forever", "SHUTDOWN_TIMEOUT": "29s"}), []string{"DRAIN_DELAY", "WRITE_TIMEOUT"}},
		{"ports equal and a bad app env", valid(map[string]string{"PORT": "9000", "METRICS_PORT": "9000", "APP_ENV": "Prod!"}), []string{"METRICS_PORT", "APP_ENV"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(lookup(tc.env))
			if got := vars(err); !slices.Equal(got, tc.want) {
				t.Fatalf("problems with %v, want %v: %v", got, tc.want, err)
			}
		})
	}
	if _, err := LoadMigrate(lookup(map[string]string{"LOG_LEVEL": "loud"})); !slices.Equal(vars(err), []string{"LOG_LEVEL", "DATABASE_URL"}) {
		t.Fatalf("migrate: %v", err)
	}
}
