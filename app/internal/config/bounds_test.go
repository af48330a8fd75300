package config

import (
	"strconv"
	"strings"
	"testing"
)

// Every bound Load checks, from both sides: the value on the bound is taken
// and the one just past it refused, naming the variable. The Pulumi program
// refuses the same values first (components/app-contract.ts, appLimits).
func TestBoundsFromBothSides(t *testing.T) {
	for _, c := range []struct {
		name     string
		env      map[string]string
		refusing string // "" when the value is on its bound
	}{
		{"shortest token", map[string]string{"API_TOKEN": strings.Repeat("t", MinTokenLength)}, ""},
		{"token one short", map[string]string{"API_TOKEN": strings.Repeat("t", MinTokenLength-1)}, "API_TOKEN"},
		{"lowest port", map[string]string{"PORT": "1"}, ""},
		{"highest port", map[string]string{"PORT": "65535"}, ""},
		{"port 0", map[string]string{"PORT": "0"}, "PORT"},
		{"port above range", map[string]string{"PORT": "65536"}, "PORT"},
		{"smallest pool", map[string]string{"DB_MAX_CONNS": "1"}, ""},
		{"largest pool", map[string]string{"DB_MAX_CONNS": "100"}, ""},
		{"no pool", map[string]string{"DB_MAX_CONNS": "0"}, "DB_MAX_CONNS"},
		{"pool above range", map[string]string{"DB_MAX_CONNS": "101"}, "DB_MAX_CONNS"},
		{"shortest shutdown", map[string]string{"SHUTDOWN_TIMEOUT": "1s"}, ""},
		{"shutdown below a second", map[string]string{"SHUTDOWN_TIMEOUT": "999ms"}, "SHUTDOWN_TIMEOUT"},
		{"drain and shutdown just inside the grace period", map[string]string{"DRAIN_DELAY": "14999ms", "SHUTDOWN_TIMEOUT": "15s"}, ""},
		{"drain and shutdown filling the grace period", map[string]string{"DRAIN_DELAY": "15s", "SHUTDOWN_TIMEOUT": "15s"}, "SHUTDOWN_TIMEOUT"},
		{"shortest statement timeout", map[string]string{"DB_STATEMENT_TIMEOUT": "100ms"}, ""},
		{"statement timeout below it", map[string]string{"DB_STATEMENT_TIMEOUT": "99ms"}, "DB_STATEMENT_TIMEOUT"},
		{"statement timeout just below the write timeout", map[string]string{"DB_STATEMENT_TIMEOUT": "1999ms", "WRITE_TIMEOUT": "2s"}, ""},
		{"statement timeout as long as the write timeout", map[string]string{"DB_STATEMENT_TIMEOUT": "2s", "WRITE_TIMEOUT": "2s"}, "DB_STATEMENT_TIMEOUT"},
		{"smallest body", map[string]string{"MAX_BODY_BYTES": "1"}, ""},
		{"no body", map[string]string{"MAX_BODY_BYTES": "0"}, "MAX_BODY_BYTES"},
		{"shortest read timeout", map[string]string{"READ_TIMEOUT": "1s"}, ""},
		{"read timeout below a second", map[string]string{"READ_TIMEOUT": "999ms"}, "READ_TIMEOUT"},
		{"longest APP_ENV", map[string]string{"APP_ENV": "a" + strings.Repeat("b", 31)}, ""},
		{"APP_ENV too long", map[string]string{"APP_ENV": "a" + strings.Repeat("b", 32)}, "APP_ENV"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(lookup(valid(c.env)))
			switch {
			case c.refusing == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.refusing != "" && (err == nil || !strings.Contains(err.Error(), c.refusing)):
				t.Fatalf("want %s refused, got %v", c.refusing, err)
			}
		})
	}
}

// The healthcheck reads PORT with the same bounds.
func TestLoadPortBounds(t *testing.T) {
	for port, ok := range map[int]bool{0: false, 1: true, 65535: true, 65536: false} {
		_, err := LoadPort(lookup(map[string]string{"PORT": strconv.Itoa(port)}))
		if (err == nil) != ok {
			t.Errorf("PORT %d: %v", port, err)
		}
	}
}
