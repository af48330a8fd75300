// Package metrics owns the Prometheus registry the service exposes on its
// metrics port.
package metrics

import (
	"net/http"
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"goapi/internal/version"
)

// HTTP holds the request metrics. Labels use the route pattern, never the raw
// path, so cardinality stays bounded by the number of routes.
type HTTP struct {
	Requests *prometheus.CounterVec
	Duration *prometheus.HistogramVec
	InFlight prometheus.Gauge
	served   servedCache
}

// New returns a registry with the Go and process collectors, the build's
// version and the HTTP metrics registered. A registry per server keeps tests
// independent of the global default registry.
func New() (*prometheus.Registry, *HTTP) {
	reg := prometheus.NewRegistry()
	v := version.Get()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		// Always 1: the labels are the point. Counting its series counts the
		// pods that serve metrics, by version during a rollout.
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name:        "goapi_build_info",
			Help:        "The running build: version and commit (from build.sh), and the Go version. Always 1.",
			ConstLabels: prometheus.Labels{"version": v.Version, "commit": v.Commit, "goversion": runtime.Version()},
		}, func() float64 { return 1 }),
	)
	labels := []string{"route", "method", "code"}
	m := &HTTP{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests served, by route pattern, method and status code.",
		}, labels),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "HTTP request latency, by route pattern, method and status code.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, labels),
		InFlight: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "http_requests_in_flight",
			Help: "HTTP requests being served now.",
		}),
	}
	reg.MustRegister(m.Requests, m.Duration, m.InFlight)
	return reg, m
}

// path is where the metrics port serves the registry.
const path = "/metrics"

// Handler serves the registry at path in the Prometheus text format, or in
// OpenMetrics to a scraper that asks for it (Prometheus does): only
// OpenMetrics carries the latency histogram's exemplars, the trace ids of
// sampled requests. Every other path is a 404: a scraper or a probe pointed
// at the wrong path must fail, not read metrics as its answer.
func Handler(reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+path, promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg, EnableOpenMetrics: true}))
	return mux
}
