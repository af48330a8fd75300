// Package api is the HTTP surface of the service: routes, handlers and the
// JSON answers for requests no route takes.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"goapi/internal/httpjson"
	"goapi/internal/items"
	"goapi/internal/metrics"
	"goapi/internal/middleware"
	"goapi/internal/telemetry"
)

// Options are what the API needs from the outside.
type Options struct {
	Store items.Store
	// Database answers whether the database serves this version; /readyz
	// fails while it does not. Nil means no database to wait for.
	Database     func(context.Context) error
	Token        string
	MaxBodyBytes int64
	Logger       *slog.Logger
	Metrics      *metrics.HTTP
	// Registry, when set, gets the readiness gauges.
	Registry prometheus.Registerer
	// Tracing, when set, traces every request (nil: tracing is off).
	Tracing *telemetry.Tracing
	// Started is set once the server serves; Ready is set then too and
	// cleared again when the drain starts.
	Started *atomic.Bool
	Ready   *atomic.Bool
}

// API serves the public routes.
type API struct {
	store        items.Store
	maxBodyBytes int64
	log          *slog.Logger
	started      *atomic.Bool
	ready        *atomic.Bool
	database     *cachedCheck
	// mux serves: every route, and "/" for whatever no route takes, so that
	// a request is matched once. unrouted has the routes alone: asked only
	// for a request that fell through to "/", it gives the router's own 404
	// or 405 (with its Allow header), which jsonErrors turns into JSON.
	mux      *http.ServeMux
	unrouted *http.ServeMux
}

// New returns the public handler with its middleware applied.
func New(o Options) http.Handler {
	a := &API{
		store: o.Store, maxBodyBytes: o.MaxBodyBytes, log: o.Logger, started: o.Started, ready: o.Ready,
		database: &cachedCheck{check: o.Database, ttl: readinessCacheTTL, timeout: readinessTimeout, log: o.Logger},
		mux:      http.NewServeMux(), unrouted: http.NewServeMux(),
	}
	auth := func(h http.HandlerFunc) http.Handler { return middleware.RequireToken(o.Token, h) }
	routes := []struct {
		pattern string
		handler http.Handler
	}{
		{"GET /{$}", http.HandlerFunc(a.index)},
		{"GET /healthz", http.HandlerFunc(a.healthz)},
		{"GET /readyz", http.HandlerFunc(a.readyz)},
		{"GET /startupz", http.HandlerFunc(a.startupz)},
		{"GET /version", http.HandlerFunc(a.version)},
		{"GET /v1/items", http.HandlerFunc(a.listItems)},
		{"POST /v1/items", auth(a.createItem)},
		{"GET /v1/items/{id}", http.HandlerFunc(a.getItem)},
		{"PUT /v1/items/{id}", auth(a.replaceItem)},
		{"PATCH /v1/items/{id}", auth(a.patchItem)},
		{"DELETE /v1/items/{id}", auth(a.deleteItem)},
	}
	for _, r := range routes {
		a.mux.Handle(r.pattern, r.handler)
		a.unrouted.Handle(r.pattern, r.handler)
	}
	a.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a.unrouted.ServeHTTP(&jsonErrors{ResponseWriter: w}, r)
	})

	if o.Registry != nil {
		// At each scrape: the cached check asks the database at most once per readinessCacheTTL.
		database := func() bool { return a.database.Check(context.Background()) == nil }
		metrics.RegisterReadiness(o.Registry, func() bool { return a.ready.Load() && database() }, database)
	}
	h := middleware.Observe(o.Logger, o.Metrics, middleware.Recover(o.Logger, a))
	if o.Tracing != nil {
		h = middleware.Trace(o.Tracing, h)
	}
	return h
}

// MaxRequestURIBytes bounds the request target. Longer ones get 414 here, in
// JSON; only header blocks above the server's MaxHeaderBytes get net/http's
// own plain-text 431 before any handler runs.
const MaxRequestURIBytes = 8 << 10

// ServeHTTP routes r, answering in JSON where the router has no route.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if len(r.RequestURI) > MaxRequestURIBytes {
		httpjson.Error(w, http.StatusRequestURITooLong, "uri_too_long", "the request target exceeds 8192 bytes")
		return
	}
	// The router would redirect a path with "." or ".." segments or "//" to
	// its clean form (a 307 with an HTML body). An API spells each resource
	// one way, and a redirect from /v1/items/../x to /v1/x only helps someone
	// probing for what a proxy in front matches by prefix.
	if !canonical(r.URL.EscapedPath()) {
		httpjson.Error(w, http.StatusBadRequest, "invalid_path", "the path must not contain '.' or '..' segments or '//'")
		return
	}
	a.mux.ServeHTTP(w, r)
}

func canonical(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	// path.Clean allocates; only "//" and "." segments are what it changes
	// (besides a trailing slash, kept below), so most paths need no call.
	if !strings.Contains(p, "//") && !strings.Contains(p, "/.") {
		return true
	}
	clean := path.Clean(p)
	if strings.HasSuffix(p, "/") && clean != "/" {
		clean += "/"
	}
	return clean == p
}

// jsonErrors replaces the router's plain-text 404 and 405 bodies with the
// JSON error envelope (keeping its status and Allow header) and lets
// anything else through.
type jsonErrors struct {
	http.ResponseWriter
	replaced bool
}

func (w *jsonErrors) WriteHeader(code int) {
	switch code {
	case http.StatusNotFound:
		w.replaced = true
		httpjson.Error(w.ResponseWriter, code, "not_found", "no such route")
	case http.StatusMethodNotAllowed:
		w.replaced = true
		httpjson.Error(w.ResponseWriter, code, "method_not_allowed", "method not allowed; see the Allow header")
	default:
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *jsonErrors) Write(b []byte) (int, error) {
	if w.replaced {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}
