package middleware

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"goapi/internal/metrics"
	"goapi/internal/telemetry"
)

const (
	traceID      = "4bf92f3577b34da6a3ce929d0e0e4736"
	parentSpanID = "00f067aa0ba902b7"
)

type traced struct {
	spans *tracetest.SpanRecorder
	reg   *prometheus.Registry
	logs  *bytes.Buffer
	h     http.Handler
}

// tracedMux serves GET /things/{id} (which logs a line of its own) behind
// Trace and Observe, as api.New stacks them, sampling no new trace: only a
// sampled parent makes a sampled span (parent-based).
func tracedMux() traced {
	spans := tracetest.NewSpanRecorder()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans), sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0))))
	logs := &bytes.Buffer{}
	log := slog.New(telemetry.LogHandler(slog.NewJSONHandler(logs, nil)))
	reg, m := metrics.New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /things/{id}", func(w http.ResponseWriter, r *http.Request) {
		log.InfoContext(r.Context(), "handler line")
		w.WriteHeader(http.StatusNoContent)
	})
	tracing := &telemetry.Tracing{Provider: provider, Propagator: propagation.TraceContext{}}
	return traced{spans, reg, logs, Trace(tracing, Observe(log, m, mux))}
}

func (tr traced) get(path, traceparent string) {
	req := httptest.NewRequest("GET", path, nil)
	if traceparent != "" {
		req.Header.Set("traceparent", traceparent)
	}
	tr.h.ServeHTTP(httptest.NewRecorder(), req)
}

func (tr traced) logLines(t *testing.T) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for l := range strings.SplitSeq(strings.TrimSpace(tr.logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, m)
	}
	return lines
}

// The exemplars on the latency histogram's buckets.
func (tr traced) exemplars(t *testing.T) []string {
	t.Helper()
	families, err := tr.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range families {
		if f.GetName() != "http_request_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, b := range m.GetHistogram().GetBucket() {
				for _, l := range b.GetExemplar().GetLabel() {
					ids = append(ids, l.GetName()+"="+l.GetValue())
				}
			}
		}
	}
	return ids
}

func TestASampledRequestContinuesItsTraceUnderItsRoute(t *testing.T) {
	tr := tracedMux()
	tr.get("/things/42", "00-"+traceID+"-"+parentSpanID+"-01")

	ended := tr.spans.Ended()
	if len(ended) != 1 {
		t.Fatalf("want one span, got %d", len(ended))
	}
	s := ended[0]
	route := ""
	for _, a := range s.Attributes() {
		if a.Key == "http.route" {
			route = a.Value.AsString()
		}
	}
	got := map[string]any{"name": s.Name(), "route": route, "kind": s.SpanKind(), "trace": s.SpanContext().TraceID().String(), "parent": s.Parent().SpanID().String()}
	want := map[string]any{"name": "GET /things/{id}", "route": "/things/{id}", "kind": trace.SpanKindServer, "trace": traceID, "parent": parentSpanID}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}

	spanID := s.SpanContext().SpanID().String()
	lines := tr.logLines(t)
	if len(lines) != 2 {
		t.Fatalf("want the handler's line and the access line, got %d", len(lines))
	}
	for _, l := range lines {
		if l["trace_id"] != traceID || l["span_id"] != spanID {
			t.Errorf("line %q: trace_id %v span_id %v, want %s %s", l["msg"], l["trace_id"], l["span_id"], traceID, spanID)
		}
	}
	if ex := tr.exemplars(t); len(ex) != 1 || ex[0] != "trace_id="+traceID {
		t.Fatalf("latency exemplars %v, want the trace id once", ex)
	}
}

// An unsampled parent (flags 00) makes an unsampled span: nothing is
// exported and no exemplar points at a trace nobody can open, but the log
// lines still carry the ids, to find them in the caller's logs.
func TestAnUnsampledRequestExportsNothingButLogsItsIDs(t *testing.T) {
	tr := tracedMux()
	tr.get("/things/42", "00-"+traceID+"-"+parentSpanID+"-00")
	if n := len(tr.spans.Ended()); n != 0 {
		t.Fatalf("%d spans recorded for an unsampled trace", n)
	}
	for _, l := range tr.logLines(t) {
		if l["trace_id"] != traceID || l["span_id"] == nil || l["span_id"] == parentSpanID {
			t.Errorf("line %q: trace_id %v span_id %v", l["msg"], l["trace_id"], l["span_id"])
		}
	}
	if ex := tr.exemplars(t); len(ex) != 0 {
		t.Fatalf("exemplars %v for an unsampled request", ex)
	}
}

// A path no route takes keeps the span's name to the method: a raw path in
// it would make as many names as scanners invent.
func TestAnUnmatchedPathNamesNoRoute(t *testing.T) {
	tr := tracedMux()
	tr.get("/wp-admin/setup.php", "00-"+traceID+"-"+parentSpanID+"-01")
	ended := tr.spans.Ended()
	if len(ended) != 1 || ended[0].Name() != "GET" {
		t.Fatalf("spans %v, want one named GET", ended)
	}
}
