package api

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"goapi/internal/httpjson"
	"goapi/internal/items"
	"goapi/internal/items/itemstest"
	"goapi/internal/metrics"
)

const token = "test-token-0123456789"

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	_, m := metrics.New()
	ready, started := &atomic.Bool{}, &atomic.Bool{}
	ready.Store(true)
	started.Store(true)
	srv := httptest.NewServer(New(Options{
		Store: itemstest.NewStore(), Token: token, MaxBodyBytes: 256,
		Logger: slog.New(slog.DiscardHandler), Metrics: m, Started: started, Ready: ready,
	}))
	t.Cleanup(srv.Close)
	return srv
}

type call struct {
	method, path, body, contentType, auth string
	header                                map[string]string
}

func do(t *testing.T, srv *httptest.Server, c call) *http.Response {
	t.Helper()
	req, err := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if c.auth != "" {
		req.Header.Set("Authorization", c.auth)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func write(method, path, body string) call {
	return call{method: method, path: path, body: body, contentType: "application/json", auth: "Bearer " + token}
}

func decode[T any](t *testing.T, resp *http.Response) T {
	t.Helper()
	var v T
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("decoding %s body: %v", resp.Request.URL.Path, err)
	}
	return v
}

func create(t *testing.T, srv *httptest.Server, name string) items.Item {
	t.Helper()
	resp := do(t, srv, write("POST", "/v1/items", `{"name":"`+name+`"}`))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create %s: %d", name, resp.StatusCode)
	}
	return decode[items.Item](t, resp)
}

func TestItemLifecycle(t *testing.T) {
	srv := newServer(t)
	resp := do(t, srv, write("POST", "/v1/items", `{"name":"widget","description":"blue"}`))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	it := decode[items.Item](t, resp)
	if it.ID == "" || it.Name != "widget" || resp.Header.Get("Location") != "/v1/items/"+it.ID {
		t.Fatalf("created %+v at %q", it, resp.Header.Get("Location"))
	}

	if got := decode[items.Item](t, do(t, srv, call{method: "GET", path: "/v1/items/" + it.ID})); got.Name != "widget" {
		t.Fatalf("get: %+v", got)
	}
	patched := decode[items.Item](t, do(t, srv, write("PATCH", "/v1/items/"+it.ID, `{"description":"red"}`)))
	if patched.Name != "widget" || patched.Description != "red" {
		t.Fatalf("patch keeps unnamed fields: %+v", patched)
	}
	replaced := decode[items.Item](t, do(t, srv, write("PUT", "/v1/items/"+it.ID, `{"name":"gadget"}`)))
	if replaced.Name != "gadget" || replaced.Description != "" {
		t.Fatalf("put replaces every field: %+v", replaced)
	}
	if resp := do(t, srv, write("DELETE", "/v1/items/"+it.ID, "")); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	if resp := do(t, srv, call{method: "GET", path: "/v1/items/" + it.ID}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("get after delete: %d", resp.StatusCode)
	}
}

func TestErrorStatuses(t *testing.T) {
	srv := newServer(t)
	existing := create(t, srv, "existing")
	cases := []struct {
		name     string
		call     call
		status   int
		code     string
		checkHdr string
	}{
		{"unknown id", call{method: "GET", path: "/v1/items/nope"}, 404, "not_found", ""},
		{"unknown id on write", write("PUT", "/v1/items/nope", `{"name":"x"}`), 404, "not_found", ""},
		{"unknown route", call{method: "GET", path: "/v2/things"}, 404, "not_found", ""},
		{"wrong method on collection", call{method: "DELETE", path: "/v1/items"}, 405, "method_not_allowed", "Allow"},
		{"wrong method on item", call{method: "POST", path: "/v1/items/" + existing.ID}, 405, "method_not_allowed", "Allow"},
		{"no token", call{method: "POST", path: "/v1/items", body: `{"name":"x"}`, contentType: "application/json"}, 401, "unauthorized", "WWW-Authenticate"},
		{"wrong token", call{method: "POST", path: "/v1/items", body: `{"name":"x"}`, contentType: "application/json", auth: "Bearer nope"}, 401, "unauthorized", "WWW-Authenticate"},
		{"basic auth", call{method: "DELETE", path: "/v1/items/" + existing.ID, auth: "Basic " + token}, 401, "unauthorized", "WWW-Authenticate"},
		{"text body", call{method: "POST", path: "/v1/items", body: "name=x", contentType: "text/plain", auth: "Bearer " + token}, 415, "unsupported_media_type", ""},
		{"no content type", call{method: "PUT", path: "/v1/items/" + existing.ID, body: `{"name":"x"}`, auth: "Bearer " + token}, 415, "unsupported_media_type", ""},
		{"too large", write("POST", "/v1/items", `{"name":"`+strings.Repeat("x", 300)+`"}`), 413, "body_too_large", ""},
		{"malformed", write("POST", "/v1/items", `{"name":`), 400, "malformed_json", ""},
		{"trailing value", write("POST", "/v1/items", `{"name":"a"} {"name":"b"}`), 400, "malformed_json", ""},
		{"trailing garbage", write("POST", "/v1/items", `{"name":"a"}]`), 400, "malformed_json", ""},
		{"empty body", write("POST", "/v1/items", ``), 400, "malformed_json", ""},
		{"unknown field", write("POST", "/v1/items", `{"name":"a","admin":true}`), 400, "invalid_body", ""},
		{"wrong type", write("POST", "/v1/items", `{"name":7}`), 400, "invalid_field", ""},
		{"missing name", write("POST", "/v1/items", `{"description":"d"}`), 400, "invalid_field", ""},
		{"name too long", write("PATCH", "/v1/items/"+existing.ID, `{"name":"`+strings.Repeat("n", 101)+`"}`), 400, "invalid_field", ""},
		{"limit zero", call{method: "GET", path: "/v1/items?limit=0"}, 400, "invalid_limit", ""},
		{"limit above max", call{method: "GET", path: "/v1/items?limit=101"}, 400, "invalid_limit", ""},
		{"limit not a number", call{method: "GET", path: "/v1/items?limit=ten"}, 400, "invalid_limit", ""},
		{"bad cursor", call{method: "GET", path: "/v1/items?cursor=bm9wZQ"}, 400, "invalid_cursor", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := do(t, srv, tc.call)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
			body := decode[httpjson.ErrorBody](t, resp)
			if body.Error.Code != tc.code || body.Error.Message == "" {
				t.Fatalf("error body %+v, want code %s", body, tc.code)
			}
			if strings.Contains(body.Error.Message, token) || strings.Contains(body.Error.Message, "admin") {
				t.Fatalf("message echoes the request: %q", body.Error.Message)
			}
			if tc.checkHdr != "" && resp.Header.Get(tc.checkHdr) == "" {
				t.Fatalf("missing %s header", tc.checkHdr)
			}
		})
	}
}

func TestAllowListsTheRouteMethods(t *testing.T) {
	resp := do(t, newServer(t), call{method: "DELETE", path: "/v1/items"})
	if allow := resp.Header.Get("Allow"); allow != "GET, HEAD, POST" {
		t.Fatalf("Allow %q", allow)
	}
}

func TestPagination(t *testing.T) {
	srv := newServer(t)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		create(t, srv, n)
	}
	type page struct {
		Items      []items.Item `json:"items"`
		NextCursor string       `json:"nextCursor"`
	}
	var names []string
	path := "/v1/items?limit=2"
	for pages := 0; path != ""; pages++ {
		if pages > 3 {
			t.Fatal("pagination does not end")
		}
		p := decode[page](t, do(t, srv, call{method: "GET", path: path}))
		if len(p.Items) > 2 {
			t.Fatalf("page of %d items with limit 2", len(p.Items))
		}
		for _, it := range p.Items {
			names = append(names, it.Name)
		}
		path = ""
		if p.NextCursor != "" {
			path = "/v1/items?limit=2&cursor=" + p.NextCursor
		}
	}
	if got := strings.Join(names, ""); got != "abcde" {
		t.Fatalf("walked %q", got)
	}
	if p := decode[page](t, do(t, srv, call{method: "GET", path: "/v1/items"})); len(p.Items) != 5 || p.NextCursor != "" {
		t.Fatalf("default page: %d items, next %q", len(p.Items), p.NextCursor)
	}
	if p := decode[page](t, do(t, srv, call{method: "GET", path: "/v1/items?limit=100"})); len(p.Items) != 5 {
		t.Fatalf("max page: %d items", len(p.Items))
	}
}

func TestEmptyListIsAnArray(t *testing.T) {
	resp := do(t, newServer(t), call{method: "GET", path: "/v1/items"})
	body, _ := io.ReadAll(resp.Body)
	if !strings.Contains(string(body), `"items":[]`) {
		t.Fatalf("empty list body %s", body)
	}
}

func TestContentTypeWithCharset(t *testing.T) {
	c := write("POST", "/v1/items", `{"name":"x"}`)
	c.contentType = "application/json; charset=utf-8"
	if resp := do(t, newServer(t), c); resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestRequestID(t *testing.T) {
	srv := newServer(t)
	resp := do(t, srv, call{method: "GET", path: "/healthz", header: map[string]string{"X-Request-ID": "abc-123"}})
	if got := resp.Header.Get("X-Request-ID"); got != "abc-123" {
		t.Fatalf("kept id %q", got)
	}
	generated := do(t, srv, call{method: "GET", path: "/healthz"}).Header.Get("X-Request-ID")
	if len(generated) != 32 {
		t.Fatalf("generated id %q", generated)
	}
	forged := do(t, srv, call{method: "GET", path: "/healthz", header: map[string]string{"X-Request-ID": strings.Repeat("z", 200)}})
	if got := forged.Header.Get("X-Request-ID"); len(got) != 32 {
		t.Fatalf("an oversized id must be replaced, got %q", got)
	}
}

func TestOpsEndpoints(t *testing.T) {
	_, m := metrics.New()
	ready, started := &atomic.Bool{}, &atomic.Bool{}
	srv := httptest.NewServer(New(Options{Store: itemstest.NewStore(), Token: token, MaxBodyBytes: 64,
		Logger: slog.New(slog.DiscardHandler), Metrics: m, Started: started, Ready: ready}))
	defer srv.Close()
	if resp := do(t, srv, call{method: "GET", path: "/healthz"}); resp.StatusCode != 200 {
		t.Fatalf("healthz %d", resp.StatusCode)
	}
	for path, flag := range map[string]*atomic.Bool{"/readyz": ready, "/startupz": started} {
		if resp := do(t, srv, call{method: "GET", path: path}); resp.StatusCode != 503 {
			t.Fatalf("%s before start: %d", path, resp.StatusCode)
		}
		flag.Store(true)
		if resp := do(t, srv, call{method: "GET", path: path}); resp.StatusCode != 200 {
			t.Fatalf("%s once started: %d", path, resp.StatusCode)
		}
	}
	if v := decode[map[string]string](t, do(t, srv, call{method: "GET", path: "/version"})); v["version"] == "" || v["commit"] == "" {
		t.Fatalf("version %v", v)
	}
	if resp := do(t, srv, call{method: "GET", path: "/metrics"}); resp.StatusCode != 404 {
		t.Fatalf("the API port must not serve /metrics, got %d", resp.StatusCode)
	}
}
