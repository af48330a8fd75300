package server

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"goapi/internal/config"
	"goapi/internal/items/itemstest"
)

const token = "server-test-token-0123"

func start(t *testing.T, drain, shutdown time.Duration) (*Server, context.CancelFunc, <-chan error) {
	t.Helper()
	return startEnv(t, map[string]string{"DRAIN_DELAY": drain.String(), "SHUTDOWN_TIMEOUT": shutdown.String()})
}

// startEnv starts a server configured by env on top of what every test needs.
func startEnv(t *testing.T, env map[string]string) (*Server, context.CancelFunc, <-chan error) {
	t.Helper()
	cfg, err := config.Load(func(k string) (string, bool) {
		v, ok := env[k]
		if !ok {
			v, ok = map[string]string{
				"API_TOKEN":    token,
				"DATABASE_URL": "postgres://unused@127.0.0.1:1/unused", // the store is a test double
			}[k]
		}
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Port, cfg.MetricsPort = 0, 0 // any free port; Load refuses 0 on purpose
	s := New(cfg, slog.New(slog.DiscardHandler), Deps{Store: itemstest.NewStore()})
	if err := s.Listen("127.0.0.1"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx) }()
	waitFor(t, "ready", func() bool { return status(s.APIAddr(), "/readyz") == 200 })
	t.Cleanup(cancel)
	return s, cancel, done
}

// fresh connections, so an idle keep-alive never hides the listener state
var client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}

func status(addr, path string) int {
	resp, err := client.Get("http://" + addr + path)
	if err != nil {
		return -1
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestDrainFinishesInFlightRequests(t *testing.T) {
	s, cancel, done := start(t, 300*time.Millisecond, 5*time.Second)
	addr := s.APIAddr()
	finish := slowPost(t, addr)

	stopped := time.Now()
	cancel()
	waitFor(t, "readiness to fail", func() bool { return status(addr, "/readyz") == 503 })
	if time.Since(stopped) >= 300*time.Millisecond {
		t.Fatal("readiness failed only after the drain delay")
	}
	for _, path := range []string{"/healthz", "/startupz"} {
		if got := status(addr, path); got != 200 {
			t.Fatalf("%s during the drain: %d", path, got)
		}
	}

	// After the drain delay the API stops accepting but finishes the
	// request in flight; metrics still answer, so its count is scraped.
	waitFor(t, "the API listener to close", func() bool { return status(addr, "/healthz") == -1 })
	if got := status(s.MetricsAddr(), "/metrics"); got != 200 {
		t.Fatalf("metrics stopped before the API finished: %d", got)
	}

	if got, err := finish(); got != http.StatusCreated {
		t.Fatalf("in-flight request ended with %d %v", got, err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(6 * time.Second):
		t.Fatal("Serve did not return within the shutdown timeout")
	}
	if time.Since(stopped) < 300*time.Millisecond {
		t.Fatal("stopped before the drain delay")
	}
	if got := status(s.MetricsAddr(), "/metrics"); got != -1 {
		t.Fatalf("metrics listener still answers after shutdown: %d", got)
	}
}

// A request still running at SHUTDOWN_TIMEOUT is cut, and Serve says so
// (the process then exits 1).
func TestShutdownTimeoutCutsRequestsAndFails(t *testing.T) {
	s, cancel, done := start(t, 0, time.Second)
	finish := slowPost(t, s.APIAddr())
	waitFor(t, "the request to be in flight", func() bool {
		resp, err := client.Get("http://" + s.MetricsAddr() + "/metrics")
		if err != nil {
			return false
		}
		defer func() { _ = resp.Body.Close() }()
		text, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(text), "\nhttp_requests_in_flight 1\n")
	})
	stopped := time.Now()
	cancel()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "were cut") {
			t.Fatalf("Serve after a timed-out shutdown: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the shutdown timeout")
	}
	if took := time.Since(stopped); took < time.Second {
		t.Fatalf("gave up after %s, before SHUTDOWN_TIMEOUT", took)
	}
	if got, err := finish(); err == nil {
		t.Fatalf("the cut request got an answer: %d", got)
	}
}

// A connection that never sent a request (a client's spare keep-alive
// connection) holds Shutdown up to SHUTDOWN_TIMEOUT, but cutting it cuts no
// request: a clean stop.
func TestShutdownTimeoutWithoutRequestsIsClean(t *testing.T) {
	s, cancel, done := start(t, 0, time.Second)
	conn, err := net.Dial("tcp", s.APIAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	waitFor(t, "the connection to be accepted", func() bool {
		s.apiConn.mu.Lock()
		defer s.apiConn.mu.Unlock()
		return len(s.apiConn.state) == 1
	})
	stopped := time.Now()
	cancel()
	select {
	case err := <-done:
		if took := time.Since(stopped); err != nil || took < time.Second {
			t.Fatalf("Serve with only a new connection: %v after %s", err, took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the shutdown timeout")
	}
}

// slowPost starts a POST whose body is still arriving, on a connection of
// its own: it is in flight until finish sends the rest and reads the answer.
func slowPost(t *testing.T, addr string) (finish func() (int, error)) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	rest := `"late"}`
	head := "POST /v1/items HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n" +
		"Authorization: Bearer " + token + "\r\nContent-Length: " + strconv.Itoa(len(`{"name":`)+len(rest)) + "\r\n\r\n"
	if _, err := conn.Write([]byte(head + `{"name":`)); err != nil {
		t.Fatal(err)
	}
	return func() (int, error) {
		_, _ = conn.Write([]byte(rest))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			return 0, err
		}
		_ = resp.Body.Close()
		return resp.StatusCode, nil
	}
}

func TestMetricsOnlyOnTheMetricsPort(t *testing.T) {
	s, _, _ := start(t, 0, 5*time.Second)
	if got := status(s.APIAddr(), "/v1/items"); got != 200 {
		t.Fatalf("list: %d", got)
	}
	if got := status(s.APIAddr(), "/metrics"); got != 404 {
		t.Fatalf("API port serves /metrics: %d", got)
	}
	resp, err := client.Get("http://" + s.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	text, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`http_request_duration_seconds_bucket{code="200",method="GET",route="GET /v1/items",le="0.005"}`,
		`http_requests_in_flight`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// The metrics port serves /metrics and nothing else: every other path is a
// 404, so a scraper or a probe pointed at the wrong path fails instead of
// reading metrics as its answer.
func TestMetricsPortAnswersOnlyMetrics(t *testing.T) {
	s, _, _ := start(t, 0, 5*time.Second)
	if got := status(s.MetricsAddr(), "/metrics"); got != 200 {
		t.Fatalf("/metrics: %d", got)
	}
	for _, path := range []string{"/", "/healthz", "/readyz", "/v1/items", "/metrics/", "/metricsz", "/metrics/x"} {
		if got := status(s.MetricsAddr(), path); got != 404 {
			t.Errorf("%s on the metrics port: %d, want 404", path, got)
		}
	}
	req, err := http.NewRequest(http.MethodPost, "http://"+s.MetricsAddr()+"/metrics", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /metrics: %d, want 405", resp.StatusCode)
	}
}

// A client that trickles its request headers in is cut off at
// readHeaderTimeout, on both ports, long before READ_TIMEOUT would end it.
func TestSlowHeadersAreCutAtReadHeaderTimeout(t *testing.T) {
	s, _, _ := startEnv(t, map[string]string{"READ_TIMEOUT": "1m", "WRITE_TIMEOUT": "1m"})
	for name, addr := range map[string]string{"api": s.APIAddr(), "metrics": s.MetricsAddr()} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = conn.Close() }()
			began := time.Now()
			if _, err := conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: test\r\n")); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(began.Add(readHeaderTimeout + 3*time.Second))
			_, err = io.ReadAll(conn) // the server closes the connection without an answer
			took := time.Since(began)
			if err != nil || took < readHeaderTimeout {
				t.Fatalf("connection ended after %s (%v), want closed by the server at %s", took, err, readHeaderTimeout)
			}
		})
	}
}
