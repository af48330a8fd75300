package middleware

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"goapi/internal/metrics"
)

// The bounds of what Observe keeps from a client, pinned from both sides.
func TestRequestIDAndLoggedPathBounds(t *testing.T) {
	for id, keep := range map[string]bool{
		strings.Repeat("a", 128): true,
		strings.Repeat("a", 129): false,
		"!~":                     true, // 0x21 and 0x7e, the ends of printable ASCII
		"a b":                    false,
		"a\x7f":                  false,
		"":                       false,
	} {
		if validRequestID(id) != keep {
			t.Errorf("request id %q kept: %v, want %v", id, !keep, keep)
		}
	}
	long := strings.Repeat("p", maxLoggedPath)
	if got := truncate(long, maxLoggedPath); got != long {
		t.Errorf("a path of %d bytes was cut: %q", maxLoggedPath, got)
	}
	if got := truncate(long+"q", maxLoggedPath); got != long+"..." {
		t.Errorf("a path of %d bytes: %q", maxLoggedPath+1, got)
	}
}

// duration_ms is the handler's time in milliseconds.
func TestLoggedDurationIsInMilliseconds(t *testing.T) {
	_, m := metrics.New()
	var logs bytes.Buffer
	h := Observe(slog.New(slog.NewJSONHandler(&logs, nil)), m, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		time.Sleep(20 * time.Millisecond)
	}))
	began := time.Now()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	took := float64(time.Since(began).Microseconds()) / 1000
	var line struct {
		DurationMS float64 `json:"duration_ms"`
	}
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if line.DurationMS < 20 || line.DurationMS > took {
		t.Fatalf("duration_ms %v, want between 20 and %v", line.DurationMS, took)
	}
}
