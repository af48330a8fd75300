package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The paced load counts every request it sends, and as failures exactly the
// non-2xx answers and the connection errors.
func TestPacedCountsEveryFailure(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1)%4 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()

	r := paced(context.Background(), pacedArgs{url: srv.URL, rate: 200, conns: 8, d: 500 * time.Millisecond})
	if r.Count < 40 || int64(r.Count) != n.Load() {
		t.Fatalf("sent %d requests, the server saw %d", r.Count, n.Load())
	}
	if want := r.Count / 4; r.Errors != want {
		t.Fatalf("failed = %d, want %d (every 4th answered 503)", r.Errors, want)
	}
	if !strings.HasSuffix(r.failures[0], "HTTP 503") {
		t.Fatalf("failure %q does not name the status", r.failures[0])
	}

	srv.Close()
	r = paced(context.Background(), pacedArgs{url: srv.URL, rate: 100, conns: 4, d: 100 * time.Millisecond})
	if r.Count == 0 || r.Errors != r.Count {
		t.Fatalf("with the server gone: %d of %d failed, want all", r.Errors, r.Count)
	}
}

// Cancelling the context (SIGINT in main) ends the load early and waits for the requests in flight.
func TestPacedStopsWhenCancelled(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	r := paced(ctx, pacedArgs{url: srv.URL, rate: 50, conns: 4, d: time.Minute})
	if r.elapsed > 5*time.Second || r.Errors != 0 || r.Count == 0 {
		t.Fatalf("elapsed %s, %d requests, %d failed", r.elapsed, r.Count, r.Errors)
	}
}

// -host sends the route's hostname in the Host header; -progress writes the
// running counts as it goes.
func TestPacedHostAndProgress(t *testing.T) {
	var wrongHost atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host != "goapi.example.com" {
			wrongHost.Add(1)
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer srv.Close()
	var out bytes.Buffer
	r := paced(context.Background(), pacedArgs{url: srv.URL, host: "goapi.example.com", rate: 100, conns: 4, d: 350 * time.Millisecond, progress: 100 * time.Millisecond, out: &out})
	if r.Count == 0 || r.Errors != 0 || wrongHost.Load() != 0 {
		t.Fatalf("%d requests, %d failed, %d with another Host", r.Count, r.Errors, wrongHost.Load())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "progress seconds=") || !strings.Contains(lines[0], " failed=0") {
		t.Fatalf("progress lines: %q", out.String())
	}
}
