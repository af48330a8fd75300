package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"goapi/internal/httpjson"
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

// A request target of exactly MaxRequestURIBytes is routed; one byte more is
// answered 414. The page size is taken from 1 to MaxPageSize.
func TestRequestTargetAndPageSizeBounds(t *testing.T) {
	srv := newServer(t)
	target := func(size int) string { // /v1/items?pad=xxx… of size bytes
		const prefix = "/v1/items?pad="
		return prefix + strings.Repeat("x", size-len(prefix))
	}
	if resp := do(t, srv, call{method: "GET", path: target(MaxRequestURIBytes)}); resp.StatusCode != http.StatusOK {
		t.Errorf("target of %d bytes: %d", MaxRequestURIBytes, resp.StatusCode)
	}
	if resp := do(t, srv, call{method: "GET", path: target(MaxRequestURIBytes + 1)}); resp.StatusCode != http.StatusRequestURITooLong {
		t.Errorf("target of %d bytes: %d", MaxRequestURIBytes+1, resp.StatusCode)
	}
	for limit, want := range map[int]int{0: 400, 1: 200, MaxPageSize: 200, MaxPageSize + 1: 400} {
		if resp := do(t, srv, call{method: "GET", path: "/v1/items?limit=" + strconv.Itoa(limit)}); resp.StatusCode != want {
			t.Errorf("limit=%d: %d, want %d", limit, resp.StatusCode, want)
		}
	}
}

// A second JSON value after the object is named as such; anything else after
// it is not JSON at all.
func TestTrailingDataIsNamed(t *testing.T) {
	srv := newServer(t)
	for body, message := range map[string]string{
		`{"name":"a"} {"name":"b"}`: "the body must hold exactly one JSON object",
		`{"name":"a"} 1`:            "the body must hold exactly one JSON object",
		`{"name":"a"}]`:             "the body is not valid JSON",
	} {
		resp := do(t, srv, write("POST", "/v1/items", body))
		got := decode[httpjson.ErrorBody](t, resp)
		if resp.StatusCode != 400 || got.Error.Code != "malformed_json" || got.Error.Message != message {
			t.Errorf("%s: %d %+v, want 400 malformed_json %q", body, resp.StatusCode, got.Error, message)
		}
	}
}
