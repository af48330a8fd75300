package metrics

import "github.com/prometheus/client_golang/prometheus"

// RegisterReadiness reports what /readyz decides, read at each scrape:
// goapi_ready is 1 while the process would answer /readyz with 200 (serving,
// not draining, the database answering with this build's schema), and
// goapi_database_up is 1 while the database answers, whatever the drain.
// The alerts on pods without readiness and on the database read these.
func RegisterReadiness(reg prometheus.Registerer, ready, database func() bool) {
	gauge := func(name, help string, f func() bool) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			if f() {
				return 1
			}
			return 0
		})
	}
	reg.MustRegister(
		gauge("goapi_ready", "1 while this process would answer /readyz with 200, else 0.", ready),
		gauge("goapi_database_up", "1 while the database answers with this build's schema, else 0.", database),
	)
}
