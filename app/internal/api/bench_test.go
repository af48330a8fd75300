package api

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"goapi/internal/items"
	"goapi/internal/items/itemstest"
	"goapi/internal/metrics"
)

// The handlers' own cost, middleware included, per request and in
// allocations, without a network: go test -run '^$' -bench . -benchmem ./internal/api
// (app/README.md#benchmark has the figures). The access log is at error
// level, as in the benchmark, so its lines are skipped but its level check is not.
func benchHandler(b *testing.B) (http.Handler, string) {
	b.Helper()
	_, m := metrics.New()
	ready, started := &atomic.Bool{}, &atomic.Bool{}
	ready.Store(true)
	started.Store(true)
	store := itemstest.NewStore()
	it, err := store.Create(b.Context(), items.Fields{Name: "bench", Description: "load generator item"})
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewJSONHandler(discard{}, &slog.HandlerOptions{Level: slog.LevelError}))
	return New(Options{
		Store: store, Token: token, MaxBodyBytes: 1 << 20,
		Logger: log, Metrics: m, Started: started, Ready: ready,
	}), it.ID
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func BenchmarkGetItem(b *testing.B) {
	h, id := benchHandler(b)
	req := httptest.NewRequest(http.MethodGet, "/v1/items/"+id, nil)
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

func BenchmarkCreateItem(b *testing.B) {
	h, _ := benchHandler(b)
	const body = `{"name":"bench","description":"load generator item"}`
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/v1/items", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusCreated {
			b.Fatalf("status %d", w.Code)
		}
	}
}
