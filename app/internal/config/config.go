// Package config reads the service configuration from the environment and
// validates it before anything listens, so a bad deployment fails fast with a
// message that names the variable.
package config

import (
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Config is the validated service configuration.
type Config struct {
	Port            int
	MetricsPort     int
	LogLevel        slog.Level
	AppEnv          string
	APIToken        string
	DrainDelay      time.Duration
	ShutdownTimeout time.Duration
	MaxBodyBytes    int64
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
	IdleTimeout     time.Duration
	Database        Database
}

// Database is how the API reaches PostgreSQL.
type Database struct {
	// URL is DATABASE_URL: a libpq URL or keyword/value string, with the
	// password. libpq's PG* variables fill in what it leaves out.
	URL Secret
	// MaxConns is the pool size (DB_MAX_CONNS); readiness adds one
	// connection of its own.
	MaxConns int32
	// StatementTimeout (DB_STATEMENT_TIMEOUT) bounds every store call, on
	// the server (statement_timeout) and in the client.
	StatementTimeout time.Duration
}

// Migrate is what the migrate subcommand reads: nothing it does not need, so
// a migration Job needs no API token.
type Migrate struct {
	LogLevel slog.Level
	URL      Secret
}

// Secret is a string that never prints: fmt, slog and encoding/json show
// "[redacted]"; Reveal gives the value to the one caller that needs it.
type Secret string

const redacted = "[redacted]"

func (Secret) String() string               { return redacted }
func (Secret) GoString() string             { return redacted }
func (Secret) LogValue() slog.Value         { return slog.StringValue(redacted) }
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }
func (s Secret) Reveal() string             { return string(s) }

// MinTokenLength keeps guessable tokens out of production.
const MinTokenLength = 16

// Kubernetes gives a pod 30 s by default between SIGTERM and SIGKILL; drain
// and shutdown together must fit inside it or in-flight requests are cut.
const maxGracefulStop = 30 * time.Second

// Error names the variable that is wrong and why.
type Error struct {
	Var    string
	Reason string
}

func (e *Error) Error() string { return e.Var + ": " + e.Reason }

// Errors is every problem found, in the order the variables are read; its
// text is one line per problem.
type Errors []*Error

func (list Errors) Error() string {
	lines := make([]string, len(list))
	for i, e := range list {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

var appEnvPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// Load builds a Config from lookup (os.LookupEnv in production). It returns
// every problem at once, as Errors.
func Load(lookup func(string) (string, bool)) (Config, error) {
	r := reader{lookup: lookup}
	c := Config{
		Port:            r.apiPort(),
		MetricsPort:     r.port("METRICS_PORT", 9090),
		LogLevel:        r.level("LOG_LEVEL", slog.LevelInfo),
		AppEnv:          r.str("APP_ENV", "development"),
		APIToken:        r.secret("API_TOKEN"),
		DrainDelay:      r.duration("DRAIN_DELAY", 5*time.Second, 0),
		ShutdownTimeout: r.duration("SHUTDOWN_TIMEOUT", 15*time.Second, time.Second),
		MaxBodyBytes:    r.size("MAX_BODY_BYTES", 1<<20),
		ReadTimeout:     r.duration("READ_TIMEOUT", 10*time.Second, time.Second),
		WriteTimeout:    r.duration("WRITE_TIMEOUT", 10*time.Second, time.Second),
		IdleTimeout:     r.duration("IDLE_TIMEOUT", 60*time.Second, time.Second),
		Database: Database{
			URL:              r.databaseURL("DATABASE_URL"),
			MaxConns:         int32(r.count("DB_MAX_CONNS", 5, 1, 100)),
			StatementTimeout: r.duration("DB_STATEMENT_TIMEOUT", 5*time.Second, 100*time.Millisecond),
		},
	}
	// The rules between variables, each only when the variables it reads are good.
	if r.good("PORT", "METRICS_PORT") && c.MetricsPort == c.Port {
		r.fail("METRICS_PORT", fmt.Sprintf("must differ from PORT (both %d)", c.Port))
	}
	if !appEnvPattern.MatchString(c.AppEnv) {
		r.fail("APP_ENV", fmt.Sprintf("%q must be lower-case letters, digits or '-', starting with a letter, at most 32 characters", c.AppEnv))
	}
	if r.good("DRAIN_DELAY", "SHUTDOWN_TIMEOUT") && c.DrainDelay+c.ShutdownTimeout >= maxGracefulStop {
		r.fail("SHUTDOWN_TIMEOUT", fmt.Sprintf("DRAIN_DELAY (%s) + SHUTDOWN_TIMEOUT (%s) must stay below Kubernetes' default grace period of %s", c.DrainDelay, c.ShutdownTimeout, maxGracefulStop))
	}
	if r.good("DB_STATEMENT_TIMEOUT", "WRITE_TIMEOUT") && c.Database.StatementTimeout >= c.WriteTimeout {
		r.fail("DB_STATEMENT_TIMEOUT", fmt.Sprintf("%s must stay below WRITE_TIMEOUT (%s), so a slow database is still answered with 503", c.Database.StatementTimeout, c.WriteTimeout))
	}
	if err := r.err(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// LoadMigrate reads what the migrate subcommand needs.
func LoadMigrate(lookup func(string) (string, bool)) (Migrate, error) {
	r := reader{lookup: lookup}
	m := Migrate{LogLevel: r.level("LOG_LEVEL", slog.LevelInfo), URL: r.databaseURL("DATABASE_URL")}
	if err := r.err(); err != nil {
		return Migrate{}, err
	}
	return m, nil
}

// LoadPort reads PORT alone, for the healthcheck subcommand.
func LoadPort(lookup func(string) (string, bool)) (int, error) {
	r := reader{lookup: lookup}
	p := r.apiPort()
	return p, r.err()
}

// reader keeps every problem so Load reads as a list of variables.
type reader struct {
	lookup   func(string) (string, bool)
	problems Errors
}

func (r *reader) fail(name, reason string) {
	r.problems = append(r.problems, &Error{name, reason})
}

// good reports whether none of the variables has a problem.
func (r *reader) good(names ...string) bool {
	for _, e := range r.problems {
		if slices.Contains(names, e.Var) {
			return false
		}
	}
	return true
}

func (r *reader) err() error {
	if len(r.problems) == 0 {
		return nil
	}
	return r.problems
}

func (r *reader) raw(name string) (string, bool) {
	v, ok := r.lookup(name)
	v = strings.TrimSpace(v)
	return v, ok && v != ""
}

func (r *reader) str(name, def string) string {
	if v, ok := r.raw(name); ok {
		return v
	}
	return def
}

func (r *reader) secret(name string) string {
	v, ok := r.lookup(name)
	switch {
	case !ok || v == "":
		r.fail(name, "is required and not set")
	case len(v) < MinTokenLength:
		// The reason never includes the value: it is a secret.
		r.fail(name, fmt.Sprintf("must be at least %d characters long", MinTokenLength))
	}
	return v
}

// databaseURL checks that pgx can parse the value. Neither the value nor the
// parser's message is repeated: both may hold the password.
func (r *reader) databaseURL(name string) Secret {
	v, ok := r.lookup(name)
	if !ok || strings.TrimSpace(v) == "" {
		r.fail(name, "is required and not set (postgres://user:password@host:5432/dbname?sslmode=require)")
		return ""
	}
	if _, err := pgxpool.ParseConfig(v); err != nil {
		r.fail(name, "is not a PostgreSQL connection URL such as postgres://user:password@host:5432/dbname?sslmode=require (the value is not shown: it holds the password)")
	}
	return Secret(v)
}

func (r *reader) count(name string, def, min, max int) int {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		r.fail(name, fmt.Sprintf("%q is not a whole number from %d to %d", v, min, max))
	}
	return n
}

// apiPort is PORT, read alike by Load and LoadPort: the healthcheck must
// probe the port the server listens on.
func (r *reader) apiPort() int { return r.port("PORT", 8080) }

func (r *reader) port(name string, def int) int {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	p, err := strconv.Atoi(v)
	if err != nil || p < 1 || p > 65535 {
		r.fail(name, fmt.Sprintf("%q is not a port number between 1 and 65535", v))
	}
	return p
}

func (r *reader) level(name string, def slog.Level) slog.Level {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		r.fail(name, fmt.Sprintf("%q is not one of debug, info, warn, error", v))
	}
	return l
}

func (r *reader) duration(name string, def, min time.Duration) time.Duration {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		r.fail(name, fmt.Sprintf("%q is not a duration such as 500ms, 5s or 1m", v))
	case d < min:
		r.fail(name, fmt.Sprintf("%s is below the minimum of %s", d, min))
	}
	return d
}

func (r *reader) size(name string, def int64) int64 {
	v, ok := r.raw(name)
	if !ok {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		r.fail(name, fmt.Sprintf("%q is not a positive number of bytes", v))
	}
	return n
}
