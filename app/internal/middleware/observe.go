package middleware

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"goapi/internal/metrics"
)

// RequestIDHeader carries the request id in and out.
const RequestIDHeader = "X-Request-ID"

// requestIDKeyInMap is RequestIDHeader as http.Header keys it: Get and Set
// with a key already canonical skip an allocation each on every request.
var requestIDKeyInMap = http.CanonicalHeaderKey(RequestIDHeader)

type requestIDKey struct{}

// RequestID returns the id Observe gave the request, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// Observe gives each request an id, then logs one access line and records
// the metrics once the handler is done. It must wrap the router directly (or
// through wrappers that keep the *http.Request) because the route label comes
// from the Pattern field the router sets. Inside a tracing middleware, it
// names the request's span after the route too (the tracing middleware,
// outside, never sees the Pattern), and records a sampled request's trace
// id as the latency's exemplar.
func Observe(log *slog.Logger, m *metrics.HTTP, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(requestIDKeyInMap)
		if !validRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(requestIDKeyInMap, id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))

		m.InFlight.Inc()
		defer m.InFlight.Dec()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)

		elapsed := time.Since(start)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		span := trace.SpanFromContext(r.Context())
		nameSpan(span, r)
		served := m.Served(route, methodLabel(r.Method), sw.code())
		served.Requests.Inc()
		observe(served.Duration, elapsed.Seconds(), span.SpanContext())
		log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("request_id", id),
			slog.String("method", r.Method),
			slog.String("route", route),
			slog.String("path", truncate(r.URL.Path, maxLoggedPath)),
			slog.Int("status", sw.code()),
			slog.Int("bytes", sw.bytes),
			slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		)
	})
}

// nameSpan names a server span as OpenTelemetry's HTTP conventions ask:
// "{method} {route}", with the route in http.route; never the raw path, so
// the names stay as few as the routes.
func nameSpan(span trace.Span, r *http.Request) {
	if !span.IsRecording() || r.Pattern == "" {
		return
	}
	// Patterns here are "METHOD /path"; the route is the path part.
	_, path, found := strings.Cut(r.Pattern, " ")
	if !found {
		path = r.Pattern
	}
	span.SetName(methodLabel(r.Method) + " " + path)
	span.SetAttributes(semconv.HTTPRoute(path))
}

// observe records a latency, with the trace id as its exemplar when the
// request's trace is sampled (exported), so a slow bucket leads to a trace.
func observe(o prometheus.Observer, seconds float64, sc trace.SpanContext) {
	if e, ok := o.(prometheus.ExemplarObserver); ok && sc.IsSampled() {
		e.ObserveWithExemplar(seconds, prometheus.Labels{"trace_id": sc.TraceID().String()})
		return
	}
	o.Observe(seconds)
}

// maxLoggedPath bounds the path in the access log: a request target may be
// up to the server's MaxHeaderBytes (1 MiB) before the API refuses it.
const maxLoggedPath = 256

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// A client-supplied id is kept only if it is short and printable, so it
// cannot forge log lines or blow up label sizes downstream.
func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Unknown methods share one label so a scanner cannot create series at will.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
		http.MethodPatch, http.MethodDelete, http.MethodOptions:
		return m
	}
	return "OTHER"
}
