package metrics

import (
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Served is where one kind of answer (route, method, status code) is counted
// and timed.
type Served struct {
	Requests prometheus.Counter
	Duration prometheus.Observer
}

type servedKey struct {
	route, method string
	code          int
}

// servedCache keeps each label set's series once made: a vector's
// WithLabelValues hashes the three values and takes a lock on every call,
// twice a request, and the code's text is one more allocation. The label
// sets are as few as the vectors' own series (routes, methods, codes), and
// nothing here deletes a series, so a kept one never goes stale.
type servedCache struct {
	series sync.Map // servedKey -> Served
}

// Served returns the series of the answers with these labels.
func (m *HTTP) Served(route, method string, code int) Served {
	key := servedKey{route: route, method: method, code: code}
	if s, ok := m.served.series.Load(key); ok {
		return s.(Served)
	}
	text := strconv.Itoa(code)
	s, _ := m.served.series.LoadOrStore(key, Served{
		Requests: m.Requests.WithLabelValues(route, method, text),
		Duration: m.Duration.WithLabelValues(route, method, text),
	})
	return s.(Served)
}
