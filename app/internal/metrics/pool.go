package metrics

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// Pool is a connection pool to report, by name (the pool label).
type Pool struct {
	Name string
	Stat func() *pgxpool.Stat
}

// RegisterPools reports the pools' figures, read from pgxpool's own counters
// at each scrape. (A ready-made collector exists, but it names counters
// without _total and durations in nanoseconds, against Prometheus' naming
// rules; these are the same figures under conventional names.)
func RegisterPools(reg prometheus.Registerer, pools ...Pool) {
	if len(pools) > 0 {
		reg.MustRegister(poolCollector(pools))
	}
}

type poolCollector []Pool

var (
	poolLabels = []string{"pool"}

	poolConns = prometheus.NewDesc("db_pool_connections",
		"Connections in the pool now, by state: idle, in use (acquired) or being opened (constructing).",
		[]string{"pool", "state"}, nil)
	poolMaxConns = prometheus.NewDesc("db_pool_max_connections",
		"The most connections the pool may hold (DB_MAX_CONNS for the request pool).", poolLabels, nil)
	poolAcquires = prometheus.NewDesc("db_pool_acquires_total",
		"Connections taken from the pool.", poolLabels, nil)
	poolEmptyAcquires = prometheus.NewDesc("db_pool_empty_acquires_total",
		"Acquires that found no idle connection and had to wait for one to be opened or returned.", poolLabels, nil)
	poolCanceledAcquires = prometheus.NewDesc("db_pool_canceled_acquires_total",
		"Acquires given up because the request's deadline passed or it was cancelled.", poolLabels, nil)
	poolWait = prometheus.NewDesc("db_pool_acquire_wait_seconds_total",
		"Time spent waiting for a connection in acquires that found none idle.", poolLabels, nil)
	poolNewConns = prometheus.NewDesc("db_pool_new_connections_total",
		"Connections opened to the database.", poolLabels, nil)
)

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolConns, poolMaxConns, poolAcquires, poolEmptyAcquires, poolCanceledAcquires, poolWait, poolNewConns} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	for _, p := range c {
		s := p.Stat()
		gauge := func(d *prometheus.Desc, v float64, labels ...string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{p.Name}, labels...)...)
		}
		counter := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, p.Name)
		}
		gauge(poolConns, float64(s.IdleConns()), "idle")
		gauge(poolConns, float64(s.AcquiredConns()), "acquired")
		gauge(poolConns, float64(s.ConstructingConns()), "constructing")
		gauge(poolMaxConns, float64(s.MaxConns()))
		counter(poolAcquires, float64(s.AcquireCount()))
		counter(poolEmptyAcquires, float64(s.EmptyAcquireCount()))
		counter(poolCanceledAcquires, float64(s.CanceledAcquireCount()))
		counter(poolWait, s.EmptyAcquireWaitTime().Seconds())
		counter(poolNewConns, float64(s.NewConnsCount()))
	}
}
