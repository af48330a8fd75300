package metrics

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestServedCountsAndTimesEachLabelSetInItsOwnSeries(t *testing.T) {
	_, m := New()
	for range 2 {
		s := m.Served("GET /v1/items/{id}", "GET", 200)
		s.Requests.Inc()
		s.Duration.Observe(0.002)
	}
	m.Served("GET /v1/items/{id}", "GET", 404).Requests.Inc()
	m.Served("POST /v1/items", "POST", 200).Requests.Inc()
	m.Served("GET /v1/items/{id}", "HEAD", 200).Requests.Inc()
	m.Served("GET /healthz", "GET", 200).Requests.Inc()

	for _, c := range []struct {
		route, method, code string
		want                float64
	}{
		{"GET /v1/items/{id}", "GET", "200", 2},
		{"GET /v1/items/{id}", "GET", "404", 1},
		{"POST /v1/items", "POST", "200", 1},
		{"GET /v1/items/{id}", "HEAD", "200", 1},
		{"GET /healthz", "GET", "200", 1},
	} {
		if got := testutil.ToFloat64(m.Requests.WithLabelValues(c.route, c.method, c.code)); got != c.want {
			t.Errorf("http_requests_total{route=%q,method=%q,code=%q} = %v, want %v", c.route, c.method, c.code, got, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.Requests); n != 5 {
		t.Errorf("request series = %d, want 5", n)
	}
	if got, want := m.Served("POST /v1/items", "POST", 201).Duration, m.Duration.WithLabelValues("POST /v1/items", "POST", "201"); got != want {
		t.Error("the latency of POST 201 is not the histogram's series for those labels")
	}
	if got, other := m.Served("POST /v1/items", "POST", 201).Duration, m.Served("POST /v1/items", "POST", 200).Duration; got == other {
		t.Error("two codes share one latency series")
	}
}
