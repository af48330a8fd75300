package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"goapi/internal/config"
)

const token = "server-test-token-0123"

func start(t *testing.T, drain time.Duration) (*Server, context.CancelFunc, <-chan error) {
	t.Helper()
	cfg, err := config.Load(func(k string) (string, bool) {
		v, ok := map[string]string{"API_TOKEN": token, "DRAIN_DELAY": drain.String(), "SHUTDOWN_TIMEOUT": "5s"}[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Port, cfg.MetricsPort = 0, 0 // any free port; Load refuses 0 on purpose
	s := New(cfg, slog.New(slog.DiscardHandler))
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
	s, cancel, done := start(t, 300*time.Millisecond)
	addr := s.APIAddr()

	// A request whose body is still arriving when the drain starts.
	body, feed := io.Pipe()
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/items", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	result := make(chan int, 1)
	go func() {
		resp, err := client.Do(req)
		if err != nil {
			result <- -1
			return
		}
		_ = resp.Body.Close()
		result <- resp.StatusCode
	}()
	if _, err := feed.Write([]byte(`{"name":`)); err != nil {
		t.Fatal(err)
	}

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

	_, _ = feed.Write([]byte(`"late"}`))
	_ = feed.Close()
	if got := <-result; got != http.StatusCreated {
		t.Fatalf("in-flight request ended with %d", got)
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
	if got := status(addr, "/healthz"); got != -1 {
		t.Fatalf("listener still answers after shutdown: %d", got)
	}
}

func TestMetricsOnlyOnTheMetricsPort(t *testing.T) {
	s, _, _ := start(t, 0)
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
