package middleware

import (
	"net/http"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/metric/noop"

	"goapi/internal/telemetry"
)

// Trace starts a server span for each request, continuing the trace of an
// incoming W3C traceparent, and hands the span to next in the request's
// context. Observe, inside it, names the span after the route. The service's
// metrics are Prometheus', so the instrumentation's own are dropped.
func Trace(t *telemetry.Tracing, next http.Handler) http.Handler {
	return otelhttp.NewHandler(next, "http.server",
		otelhttp.WithTracerProvider(t.Provider),
		otelhttp.WithPropagators(t.Propagator),
		otelhttp.WithMeterProvider(noop.NewMeterProvider()),
	)
}
