package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"goapi/internal/items/itemstest"
	"goapi/internal/metrics"
)

// A body of exactly MaxBodyBytes is read whole and one byte more is refused,
// whether the client declares its length or streams it chunked (the two
// checks in readItemInput).
func TestBodyOfExactlyMaxBodyBytes(t *testing.T) {
	const limit = 256
	_, m := metrics.New()
	ready, started := &atomic.Bool{}, &atomic.Bool{}
	ready.Store(true)
	started.Store(true)
	srv := httptest.NewServer(New(Options{Store: itemstest.NewStore(), Token: token, MaxBodyBytes: limit,
		Logger: slog.New(slog.DiscardHandler), Metrics: m, Started: started, Ready: ready}))
	t.Cleanup(srv.Close)

	body := func(size int) string {
		const prefix, suffix = `{"name":"x","description":"`, `"}`
		return prefix + strings.Repeat("d", size-len(prefix)-len(suffix)) + suffix
	}
	for _, declared := range []bool{true, false} {
		for size, want := range map[int]int{limit: http.StatusCreated, limit + 1: http.StatusRequestEntityTooLarge} {
			req, err := http.NewRequest("POST", srv.URL+"/v1/items", strings.NewReader(body(size)))
			if err != nil {
				t.Fatal(err)
			}
			if !declared {
				req.ContentLength = -1 // the client sends it chunked
				req.Body = io.NopCloser(req.Body)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_ = resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("%d bytes (length declared: %v): %d, want %d", size, declared, resp.StatusCode, want)
			}
		}
	}
}
