// Package config reads the service configuration from the environment and
// validates it before anything listens, so a bad deployment fails fast with a
// message that names the variable.
package config

import (
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"time"
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
}

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

var appEnvPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)

// Load builds a Config from lookup (os.LookupEnv in production). It returns
// the first problem as an *Error.
func Load(lookup func(string) (string, bool)) (Config, error) {
	r := reader{lookup: lookup}
	c := Config{
		Port:            r.port("PORT", 8080),
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
	}
	if r.err != nil {
		return Config{}, r.err
	}
	switch {
	case c.MetricsPort == c.Port:
		return Config{}, &Error{"METRICS_PORT", fmt.Sprintf("must differ from PORT (both %d)", c.Port)}
	case !appEnvPattern.MatchString(c.AppEnv):
		return Config{}, &Error{"APP_ENV", fmt.Sprintf("%q must be lower-case letters, digits or '-', starting with a letter, at most 32 characters", c.AppEnv)}
	case c.DrainDelay+c.ShutdownTimeout >= maxGracefulStop:
		return Config{}, &Error{"SHUTDOWN_TIMEOUT", fmt.Sprintf("DRAIN_DELAY (%s) + SHUTDOWN_TIMEOUT (%s) must stay below Kubernetes' default grace period of %s", c.DrainDelay, c.ShutdownTimeout, maxGracefulStop)}
	}
	return c, nil
}

// reader keeps the first error so Load reads as a list of variables.
type reader struct {
	lookup func(string) (string, bool)
	err    error
}

func (r *reader) fail(name, reason string) {
	if r.err == nil {
		r.err = &Error{name, reason}
	}
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
