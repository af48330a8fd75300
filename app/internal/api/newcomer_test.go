package api

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"goapi/internal/httpjson"
	"goapi/internal/items"
	"goapi/internal/metrics"
)

// What a newcomer found wrong in the API, each held down by a test.

func wantError(t *testing.T, resp *http.Response, status int, code string) httpjson.ErrorBody {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d", resp.StatusCode, status)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	body := decode[httpjson.ErrorBody](t, resp)
	if body.Error.Code != code {
		t.Fatalf("code %q (%s), want %s", body.Error.Code, body.Error.Message, code)
	}
	return body
}

func TestBodyMustBeAnObjectWithExactNames(t *testing.T) {
	srv := newServer(t)
	for _, body := range []string{`[]`, `[{"name":"a"}]`, `7`, `null`, `"widget"`, `true`} {
		msg := wantError(t, do(t, srv, write("POST", "/v1/items", body)), 400, "invalid_body").Error.Message
		if msg != "the body must be a JSON object" {
			t.Errorf("%s: message %q", body, msg)
		}
	}
	cases := map[string]string{
		`{"Name":"a"}`:            "invalid_body", // names match exactly, not case-insensitively
		`{"NAME":"a"}`:            "invalid_body",
		`{"name":"a","name":"b"}`: "invalid_body", // a repeated name does not silently win
		`{"name":"a","description":"","description":"x"}`: "invalid_body",
		`{"name":null}`:          "invalid_field",
		`{"name":{"first":"a"}}`: "invalid_field",
		`{"name":["a"]}`:         "invalid_field",
	}
	for body, code := range cases {
		t.Run(body, func(t *testing.T) {
			msg := wantError(t, do(t, srv, write("POST", "/v1/items", body)), 400, code).Error.Message
			if strings.Contains(msg, "itemInput") || strings.Contains(msg, "api.") {
				t.Fatalf("message names a Go type: %q", msg)
			}
		})
	}
	if msg := wantError(t, do(t, srv, write("POST", "/v1/items", `{"name":"a","name":"b"}`)), 400, "invalid_body").Error.Message; !strings.Contains(msg, "more than once") {
		t.Fatalf("duplicate message %q", msg)
	}
}

func TestNamesMustBeVisibleText(t *testing.T) {
	srv := newServer(t)
	for _, name := range []string{`   `, `\t`, `a\u0000b`, `\u001b[2J`, ` padded `, `two\nlines`} {
		wantError(t, do(t, srv, write("POST", "/v1/items", `{"name":"`+name+`"}`)), 400, "invalid_field")
	}
	wantError(t, do(t, srv, write("POST", "/v1/items", `{"name":"n","description":"a\u0000"}`)), 400, "invalid_field")
	if resp := do(t, srv, write("POST", "/v1/items", `{"name":"n","description":"two\nlines\tand a tab"}`)); resp.StatusCode != 201 {
		t.Fatalf("a description may span lines: %d", resp.StatusCode)
	}
}

func TestUpdateThatChangesNothingKeepsUpdatedAt(t *testing.T) {
	srv := newServer(t)
	it := create(t, srv, "steady")
	time.Sleep(2 * time.Millisecond)
	for _, c := range []call{
		write("PATCH", "/v1/items/"+it.ID, `{}`),
		write("PATCH", "/v1/items/"+it.ID, `{"name":"steady"}`),
		write("PUT", "/v1/items/"+it.ID, `{"name":"steady"}`),
	} {
		resp := do(t, srv, c)
		if got := decode[items.Item](t, resp); resp.StatusCode != 200 || !got.UpdatedAt.Equal(it.UpdatedAt) {
			t.Fatalf("%s %s: %d, updatedAt %v -> %v", c.method, c.body, resp.StatusCode, it.UpdatedAt, got.UpdatedAt)
		}
	}
	changed := decode[items.Item](t, do(t, srv, write("PATCH", "/v1/items/"+it.ID, `{"description":"new"}`)))
	if !changed.UpdatedAt.After(it.UpdatedAt) {
		t.Fatalf("a real change must move updatedAt: %v -> %v", it.UpdatedAt, changed.UpdatedAt)
	}
}

func TestEveryErrorIsJSON(t *testing.T) {
	srv := newServer(t)
	longID := strings.Repeat("a", 100_000)
	wantError(t, do(t, srv, call{method: "GET", path: "/v1/items/" + longID}), 414, "uri_too_long")
	for _, path := range []string{"/v1/items/../healthz", "//healthz", "/./healthz", "/v1/items/./x"} {
		resp := do(t, srv, call{method: "GET", path: path})
		wantError(t, resp, 400, "invalid_path")
		if loc := resp.Header.Get("Location"); loc != "" {
			t.Fatalf("%s redirects to %s", path, loc)
		}
	}
	// The router's redirect is not followed by the test client: a 3xx would show.
	if resp := do(t, srv, call{method: "GET", path: "/v1/items"}); resp.StatusCode != 200 {
		t.Fatalf("canonical path: %d", resp.StatusCode)
	}
}

func TestDeclaredLengthAboveTheLimitIsRefusedAtOnce(t *testing.T) {
	srv := newServer(t) // MaxBodyBytes 256; httptest's server has no read timeout
	for name, extra := range map[string]string{"plain": "", "expecting 100-continue": "Expect: 100-continue\r\n"} {
		t.Run(name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = conn.Close() }()
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			fmt.Fprintf(conn, "POST /v1/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer %s\r\nContent-Length: 10485760\r\n%s\r\n{\"name\":", token, extra)
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatalf("no answer before the body arrived: %v", err)
			}
			defer func() { _ = resp.Body.Close() }()
			wantError(t, resp, 413, "body_too_large")
			if !resp.Close {
				t.Fatal("the connection must close: its body was not read")
			}
		})
	}
}

func TestRootSaysWhereToGo(t *testing.T) {
	resp := do(t, newServer(t), call{method: "GET", path: "/"})
	if resp.StatusCode != 200 {
		t.Fatalf("GET / answered %d", resp.StatusCode)
	}
	got := decode[indexResponse](t, resp)
	if got.Service != "goapi" || got.Links["items"] != "/v1/items" || got.Links["readiness"] != "/readyz" {
		t.Fatalf("index %+v", got)
	}
}

// failingStore fails every call with err.
type failingStore struct{ err error }

func (s failingStore) List(context.Context, string, int) (items.Page, error) {
	return items.Page{}, s.err
}
func (s failingStore) Get(context.Context, string) (items.Item, error) { return items.Item{}, s.err }
func (s failingStore) Create(context.Context, items.Fields) (items.Item, error) {
	return items.Item{}, s.err
}
func (s failingStore) Update(context.Context, string, func(*items.Fields)) (items.Item, error) {
	return items.Item{}, s.err
}
func (s failingStore) Delete(context.Context, string) error { return s.err }

func serverWith(t *testing.T, store items.Store, database func(context.Context) error) *httptest.Server {
	t.Helper()
	_, m := metrics.New()
	ready, started := &atomic.Bool{}, &atomic.Bool{}
	ready.Store(true)
	started.Store(true)
	srv := httptest.NewServer(New(Options{Store: store, Database: database, Token: token, MaxBodyBytes: 256,
		Logger: slog.New(slog.DiscardHandler), Metrics: m, Started: started, Ready: ready}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDatabaseOutageAnswers503WithRetryAfter(t *testing.T) {
	down := fmt.Errorf("%w: connection refused", items.ErrUnavailable)
	srv := serverWith(t, failingStore{down}, func(context.Context) error { return down })
	id := items.NewID()
	for _, c := range []call{
		{method: "GET", path: "/v1/items"},
		{method: "GET", path: "/v1/items/" + id},
		write("POST", "/v1/items", `{"name":"x"}`),
		write("PATCH", "/v1/items/"+id, `{"name":"x"}`),
		write("DELETE", "/v1/items/"+id, ""),
	} {
		resp := do(t, srv, c)
		body := wantError(t, resp, 503, "unavailable")
		if resp.Header.Get("Retry-After") != "2" || strings.Contains(body.Error.Message, "refused") {
			t.Fatalf("%s %s: Retry-After %q, message %q", c.method, c.path, resp.Header.Get("Retry-After"), body.Error.Message)
		}
	}
	if resp := do(t, srv, call{method: "GET", path: "/readyz"}); resp.StatusCode != 503 || decode[statusResponse](t, resp).Status != "database_unavailable" {
		t.Fatalf("readiness with the database down: %d", resp.StatusCode)
	}
	if resp := do(t, srv, call{method: "GET", path: "/healthz"}); resp.StatusCode != 200 {
		t.Fatalf("liveness must not depend on the database: %d", resp.StatusCode)
	}
	// A failure that is not an outage is a bug: 500, no Retry-After.
	resp := do(t, serverWith(t, failingStore{errors.New("bug")}, nil), call{method: "GET", path: "/v1/items"})
	wantError(t, resp, 500, "internal")
	if resp.Header.Get("Retry-After") != "" {
		t.Fatal("a 500 must not invite a retry")
	}
}

func TestReadinessAsksTheDatabaseAtMostOncePerTTL(t *testing.T) {
	var calls atomic.Int32
	var fail atomic.Bool
	c := &cachedCheck{ttl: 100 * time.Millisecond, timeout: time.Second, log: slog.New(slog.DiscardHandler),
		check: func(ctx context.Context) error {
			calls.Add(1)
			if _, ok := ctx.Deadline(); !ok {
				t.Error("the check runs without a deadline")
			}
			if fail.Load() {
				return errors.New("down")
			}
			return nil
		}}
	done := make(chan struct{})
	for range 20 {
		go func() { _ = c.Check(context.Background()); done <- struct{}{} }()
	}
	for range 20 {
		<-done
	}
	if n := calls.Load(); n != 1 {
		t.Fatalf("20 probes within the TTL asked the database %d times", n)
	}
	fail.Store(true)
	if c.Check(context.Background()) != nil {
		t.Fatal("the cached answer must hold for the TTL")
	}
	time.Sleep(150 * time.Millisecond)
	if c.Check(context.Background()) == nil || calls.Load() != 2 {
		t.Fatalf("after the TTL the database is asked again (calls %d)", calls.Load())
	}
	fail.Store(false)
	time.Sleep(150 * time.Millisecond)
	if err := c.Check(context.Background()); err != nil {
		t.Fatalf("readiness must recover by itself: %v", err)
	}
}

func TestReadinessCheckIsBounded(t *testing.T) {
	c := &cachedCheck{ttl: time.Second, timeout: 50 * time.Millisecond, log: slog.New(slog.DiscardHandler),
		check: func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }}
	start := time.Now()
	if err := c.Check(context.Background()); !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Fatalf("a hanging database: %v after %s", err, time.Since(start))
	}
}
