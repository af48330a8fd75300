package middleware

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"goapi/internal/metrics"
)

func TestRecoverAnswers500AndLogsTheStack(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := Recover(log, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), `"code":"internal"`) {
		t.Fatalf("got %d %s", rec.Code, rec.Body)
	}
	if !strings.Contains(logs.String(), "boom") || !strings.Contains(logs.String(), "goroutine") {
		t.Fatalf("log lacks the panic and stack: %s", logs.String())
	}
}

func TestObserveLogsOneLineWithoutSecrets(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	_, m := metrics.New()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /things/{id}", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte("hello"))
	})
	h := Observe(log, m, mux)
	req := httptest.NewRequest("POST", "/things/42?token=x", strings.NewReader(`{"secret":"body"}`))
	req.Header.Set("Authorization", "Bearer sup3r-s3cret-token")
	req.Header.Set(RequestIDHeader, "rid-1")
	h.ServeHTTP(httptest.NewRecorder(), req)

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one access line, got %d", len(lines))
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"request_id": "rid-1", "method": "POST", "route": "POST /things/{id}", "status": 201.0, "bytes": 5.0}
	for k, v := range want {
		if entry[k] != v {
			t.Errorf("%s = %v, want %v", k, entry[k], v)
		}
	}
	if _, ok := entry["duration_ms"]; !ok {
		t.Error("no duration_ms")
	}
	for _, leak := range []string{"sup3r-s3cret-token", "secret", "token=x"} {
		if strings.Contains(lines[0], leak) {
			t.Errorf("access line leaks %q: %s", leak, lines[0])
		}
	}
	if got := testutil.ToFloat64(m.Requests.WithLabelValues("POST /things/{id}", "POST", "201")); got != 1 {
		t.Fatalf("counter by route pattern = %v", got)
	}
	if got := testutil.ToFloat64(m.InFlight); got != 0 {
		t.Fatalf("in-flight gauge = %v after the request", got)
	}
}

func TestUnknownMethodsShareALabel(t *testing.T) {
	_, m := metrics.New()
	h := Observe(slog.New(slog.DiscardHandler), m, http.NotFoundHandler())
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("BREW", "/pot", nil))
	if got := testutil.ToFloat64(m.Requests.WithLabelValues("unmatched", "OTHER", "404")); got != 1 {
		t.Fatalf("got %v", got)
	}
}

func TestOnlyTheWholeTokenPasses(t *testing.T) {
	const token = "the-token-0123456789"
	h := RequireToken(token, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	cases := map[string]int{
		"Bearer " + token:                  http.StatusNoContent,
		"bearer " + token:                  http.StatusNoContent, // the scheme is case-insensitive
		"Bearer " + token[:len(token)-1]:   http.StatusUnauthorized,
		"Bearer " + token[:1]:              http.StatusUnauthorized,
		"Bearer " + token + "x":            http.StatusUnauthorized,
		"Bearer " + token + " ":            http.StatusUnauthorized,
		"Bearer  " + token:                 http.StatusUnauthorized,
		"Bearer " + strings.ToUpper(token): http.StatusUnauthorized,
		"Bearer ":                          http.StatusUnauthorized,
		token:                              http.StatusUnauthorized,
		"":                                 http.StatusUnauthorized,
	}
	for header, want := range cases {
		req := httptest.NewRequest("POST", "/", nil)
		req.Header.Set("Authorization", header)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Authorization %q: %d, want %d", header, rec.Code, want)
		}
	}
}

// http.ErrAbortHandler is how a handler asks net/http to cut the connection
// without a response or a stack in the log; Recover must pass it on.
func TestRecoverLetsErrAbortHandlerThrough(t *testing.T) {
	var logs bytes.Buffer
	h := Recover(slog.New(slog.NewJSONHandler(&logs, nil)),
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }))
	rec := httptest.NewRecorder()
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	}()
	if recovered != http.ErrAbortHandler {
		t.Fatalf("Recover swallowed http.ErrAbortHandler (re-panicked with %v)", recovered)
	}
	if rec.Body.Len() != 0 || logs.Len() != 0 {
		t.Fatalf("an aborted request got an answer %q or a log line %q", rec.Body.String(), logs.String())
	}
}

func TestLongPathsAreCutInTheLog(t *testing.T) {
	var logs bytes.Buffer
	_, m := metrics.New()
	h := Observe(slog.New(slog.NewJSONHandler(&logs, nil)), m, http.NotFoundHandler())
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/v1/items/"+strings.Repeat("a", 100_000), nil))
	var entry map[string]any
	if err := json.Unmarshal(logs.Bytes(), &entry); err != nil {
		t.Fatal(err)
	}
	if path, _ := entry["path"].(string); len(path) != 256+len("...") || !strings.HasPrefix(path, "/v1/items/aaa") {
		t.Fatalf("logged path of %d bytes", len(path))
	}
}
