//go:build observability

// The real-system checks of npm run test:observability (scripts/observability/
// test.sh builds the tools and the rules, then runs these): the API
// processes against a real PostgreSQL, scraped by a real Prometheus that
// loads the program's alert rules, and sending spans to a real OpenTelemetry
// Collector that writes them to a file.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// tool is a binary or file the script hands over; the checks never run
// without it.
func tool(t *testing.T, env string) string {
	t.Helper()
	p := os.Getenv(env)
	if p == "" {
		t.Fatalf("%s is not set: run these checks with npm run test:observability", env)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s: %v", env, err)
	}
	return p
}

// process runs a tool until the test ends, its output kept for a failure.
func process(t *testing.T, name string, args ...string) *logs {
	t.Helper()
	out := &logs{}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = out, out
	// Gone with the test binary, even when go test's timeout kills it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(name), out.String())
		}
	})
	return out
}

func listening(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err == nil {
		_ = c.Close()
	}
	return err == nil
}

// --- the OpenTelemetry Collector --------------------------------------------

type collector struct {
	endpoint string // OTLP/HTTP, for OTEL_EXPORTER_OTLP_ENDPOINT
	spans    string // the file exporter's output
}

func startCollector(t *testing.T) collector {
	t.Helper()
	bin := tool(t, "GOAPI_OTELCOL")
	dir := t.TempDir()
	addr := "127.0.0.1:" + freePort(t)
	c := collector{endpoint: "http://" + addr, spans: filepath.Join(dir, "spans.json")}
	config := fmt.Sprintf(`receivers:
  otlp:
    protocols:
      http:
        endpoint: %s
exporters:
  file:
    path: %s
    flush_interval: 100ms
service:
  pipelines:
    traces:
      receivers: [otlp]
      exporters: [file]
  telemetry:
    metrics:
      level: none
`, addr, c.spans)
	file := filepath.Join(dir, "otelcol.yaml")
	if err := os.WriteFile(file, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	process(t, bin, "--config", "file:"+file)
	waitFor(t, "the collector to listen", 30*time.Second, func() bool { return listening(addr) })
	return c
}

// span is what the checks read of an OTLP/JSON span (ids in hex).
type span struct {
	TraceID      string `json:"traceId"`
	SpanID       string `json:"spanId"`
	ParentSpanID string `json:"parentSpanId"`
	Name         string `json:"name"`
	Kind         int    `json:"kind"`
	Attributes   []attr `json:"attributes"`
	Resource     map[string]string
}

type attr struct {
	Key   string `json:"key"`
	Value struct {
		String string `json:"stringValue"`
	} `json:"value"`
}

func (s span) attr(key string) string {
	for _, a := range s.Attributes {
		if a.Key == key {
			return a.Value.String
		}
	}
	return ""
}

// spansOf reads the spans of one trace from the file exporter's JSON lines.
func (c collector) spansOf(t *testing.T, traceID string) []span {
	t.Helper()
	data, err := os.ReadFile(c.spans)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	// The collector may be writing its last line as we read: only lines that
	// end in a newline are complete, and the rest is read on the next call.
	data = data[:bytes.LastIndexByte(data, '\n')+1]
	var found []span
	lines := bufio.NewScanner(bytes.NewReader(data))
	lines.Buffer(make([]byte, 1<<20), 16<<20)
	for lines.Scan() {
		var batch struct {
			ResourceSpans []struct {
				Resource struct {
					Attributes []attr `json:"attributes"`
				} `json:"resource"`
				ScopeSpans []struct {
					Spans []span `json:"spans"`
				} `json:"scopeSpans"`
			} `json:"resourceSpans"`
		}
		if err := json.Unmarshal(lines.Bytes(), &batch); err != nil {
			t.Fatalf("a line of %s is not OTLP/JSON: %v", c.spans, err)
		}
		for _, rs := range batch.ResourceSpans {
			resource := map[string]string{}
			for _, a := range rs.Resource.Attributes {
				resource[a.Key] = a.Value.String
			}
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					if s.TraceID == traceID {
						s.Resource = resource
						found = append(found, s)
					}
				}
			}
		}
	}
	return found
}

// traceEnv sends every sampled span to c quickly: parent-based ratio
// sampling as the pods have it, the batch processor's delay shortened.
func traceEnv(c collector) []string {
	return []string{
		"OTEL_EXPORTER_OTLP_ENDPOINT=" + c.endpoint,
		"OTEL_SERVICE_NAME=goapi",
		"OTEL_RESOURCE_ATTRIBUTES=deployment.environment.name=observability-test,k8s.pod.name=goapi-test",
		"OTEL_TRACES_SAMPLER=parentbased_traceidratio",
		"OTEL_TRACES_SAMPLER_ARG=0.1",
		"OTEL_BSP_SCHEDULE_DELAY=200",
	}
}

func (a *api) get(t *testing.T, path, traceparent string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", a.base+path, nil)
	if traceparent != "" {
		req.Header.Set("traceparent", traceparent)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// A request with a sampled traceparent gives a server span in that trace,
// named by its route, with the database's spans under it, and a log line
// with the same trace_id; an unsampled one gives no span but the log line.
func TestTracesReachACollector(t *testing.T) {
	c := startCollector(t)
	schema := pg.Schema(t)
	migrateSchema(t, schema)
	a := startAPI(t, append(traceEnv(c), "DATABASE_URL="+schema)...)
	waitFor(t, "ready", 10*time.Second, func() bool { return a.status("/readyz") == 200 })
	resp, body := a.send(t, "POST", "/v1/items", `{"name":"traced"}`)
	if resp.StatusCode != 201 {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	id := decodeJSON[item](t, body).ID

	const traceID, parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	if got := a.get(t, "/v1/items/"+id, "00-"+traceID+"-"+parent+"-01"); got != 200 {
		t.Fatalf("GET: %d", got)
	}
	var spans []span
	waitFor(t, "the trace's spans in the collector's file", 20*time.Second, func() bool {
		spans = c.spansOf(t, traceID)
		return slices.ContainsFunc(spans, func(s span) bool { return s.ParentSpanID == parent })
	})
	server := spans[slices.IndexFunc(spans, func(s span) bool { return s.ParentSpanID == parent })]
	const serverKind = 2
	if server.Name != "GET /v1/items/{id}" || server.Kind != serverKind || server.attr("http.route") != "/v1/items/{id}" {
		t.Fatalf("server span %+v: want GET /v1/items/{id}, kind server, http.route /v1/items/{id}", server)
	}
	for k, v := range map[string]string{"service.name": "goapi", "service.version": "9.9.9-test", "deployment.environment.name": "observability-test", "k8s.pod.name": "goapi-test"} {
		if server.Resource[k] != v {
			t.Errorf("resource %s = %q, want %q", k, server.Resource[k], v)
		}
	}
	waitFor(t, "the database span", 10*time.Second, func() bool {
		spans = c.spansOf(t, traceID)
		return slices.ContainsFunc(spans, func(s span) bool { return s.ParentSpanID == server.SpanID && s.Name == "SELECT" })
	})
	db := spans[slices.IndexFunc(spans, func(s span) bool { return s.ParentSpanID == server.SpanID && s.Name == "SELECT" })]
	if db.attr("db.system.name") != "postgresql" || !strings.Contains(db.attr("db.query.text"), "FROM items WHERE id = $1") {
		t.Fatalf("database span %+v: want a postgresql SELECT with its statement (and no parameters)", db)
	}
	t.Logf("trace %s: %d spans; server %q %s, database %q %s", traceID, len(spans), server.Name, server.SpanID, db.Name, db.SpanID)

	line := requestLine(t, a, traceID)
	if line["span_id"] != server.SpanID || line["route"] != "GET /v1/items/{id}" {
		t.Fatalf("the request's log line %v: want span_id %s", line, server.SpanID)
	}

	// A caller that did not sample: nothing exported, the ids still logged.
	const unsampled = "5bf92f3577b34da6a3ce929d0e0e4737"
	if got := a.get(t, "/v1/items/"+id, "00-"+unsampled+"-"+parent+"-00"); got != 200 {
		t.Fatalf("GET: %d", got)
	}
	requestLine(t, a, unsampled)
	time.Sleep(time.Second) // five batch delays
	if got := c.spansOf(t, unsampled); len(got) != 0 {
		t.Fatalf("an unsampled trace was exported: %+v", got)
	}

	// The sampled request's trace id is the latency's exemplar, in OpenMetrics.
	req, _ := http.NewRequest("GET", a.metrics+"/metrics", nil)
	req.Header.Set("Accept", "application/openmetrics-text; version=1.0.0")
	mresp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(mresp.Body)
	_ = mresp.Body.Close()
	if !strings.Contains(string(text), `route="GET /v1/items/{id}"`) || !strings.Contains(string(text), `# {trace_id="`+traceID+`"}`) {
		t.Fatalf("no exemplar with trace_id %s in the OpenMetrics scrape", traceID)
	}
}

// requestLine waits for the access log line of the request in traceID.
func requestLine(t *testing.T, a *api, traceID string) map[string]any {
	t.Helper()
	var found map[string]any
	waitFor(t, "the request's log line with trace_id "+traceID, 5*time.Second, func() bool {
		for l := range strings.SplitSeq(a.logs.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" && m["trace_id"] == traceID {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// --- a delaying proxy in front of PostgreSQL ---------------------------------

// delayProxy forwards TCP connections to target, holding each chunk the
// client sends for the current delay: every round trip to the database gets
// that much slower.
type delayProxy struct {
	addr  string
	delay atomic.Int64 // nanoseconds
}

func startDelayProxy(t *testing.T, target string) *delayProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &delayProxy{addr: ln.Addr().String()}
	var conns sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); conns.Wait() })
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Go(func() { p.serve(client, target) })
		}
	}()
	return p
}

func (p *delayProxy) serve(client net.Conn, target string) {
	defer func() { _ = client.Close() }()
	server, err := net.DialTimeout("tcp", target, 2*time.Second)
	if err != nil {
		return // the database is down: the client sees the connection close
	}
	defer func() { _ = server.Close() }()
	done := make(chan struct{}, 2)
	go func() { _, _ = io.Copy(client, server); done <- struct{}{} }()
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := client.Read(buf)
			if n > 0 {
				time.Sleep(time.Duration(p.delay.Load()))
				if _, werr := server.Write(buf[:n]); werr != nil {
					break
				}
			}
			if err != nil {
				break
			}
		}
		done <- struct{}{}
	}()
	<-done
}

// --- Prometheus --------------------------------------------------------------

type prometheus struct{ base string }

// startPrometheus scrapes the targets every second as the ServiceMonitor's
// targets are labelled (job is the Service's name; namespace and pod are
// the operator's target labels), evaluating the rules every second.
func startPrometheus(t *testing.T, rules string, targets map[string]string) prometheus {
	t.Helper()
	bin := tool(t, "GOAPI_PROMETHEUS")
	dir := t.TempDir()
	var static strings.Builder
	for pod, addr := range targets {
		fmt.Fprintf(&static, "      - targets: [%q]\n        labels: {namespace: goapi, pod: %q}\n", addr, pod)
	}
	config := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [%q]
scrape_configs:
  - job_name: goapi
    static_configs:
%s`, rules, static.String())
	file := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(file, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := "127.0.0.1:" + freePort(t)
	process(t, bin, "--config.file="+file, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--enable-feature=exemplar-storage")
	p := prometheus{base: "http://" + addr}
	waitFor(t, "Prometheus to be ready", 60*time.Second, func() bool {
		resp, err := client.Get(p.base + "/-/ready")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == 200
	})
	return p
}

func (p prometheus) api(t *testing.T, path string, into any) {
	t.Helper()
	resp, err := client.Get(p.base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var envelope struct {
		Status string          `json:"status"`
		Data   json.RawMessage `json:"data"`
		Error  string          `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&envelope); err != nil || envelope.Status != "success" {
		t.Fatalf("%s: %v %s", path, err, envelope.Error)
	}
	if err := json.Unmarshal(envelope.Data, into); err != nil {
		t.Fatal(err)
	}
}

type alert struct {
	Labels map[string]string `json:"labels"`
	State  string            `json:"state"`
}

func (p prometheus) alerts(t *testing.T) []alert {
	t.Helper()
	var data struct {
		Alerts []alert `json:"alerts"`
	}
	p.api(t, "/api/v1/alerts", &data)
	return data.Alerts
}

// firing lists the firing alerts as "name{label=value,...}" for the labels given.
func firing(alerts []alert, keys ...string) []string {
	var out []string
	for _, a := range alerts {
		if a.State != "firing" {
			continue
		}
		s := a.Labels["alertname"]
		var ls []string
		for _, k := range keys {
			if v, ok := a.Labels[k]; ok {
				ls = append(ls, k+"="+v)
			}
		}
		if len(ls) > 0 {
			s += "{" + strings.Join(ls, ",") + "}"
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// readyTargets counts the scraped processes that report themselves ready.
func (p prometheus) readyTargets(t *testing.T) int {
	t.Helper()
	var data struct {
		Result []struct {
			Value []any `json:"value"`
		} `json:"result"`
	}
	p.api(t, "/api/v1/query?query="+url.QueryEscape(`sum(goapi_ready{job="goapi"})`), &data)
	if len(data.Result) == 0 {
		return 0
	}
	var n int
	_, _ = fmt.Sscan(fmt.Sprint(data.Result[0].Value[1]), &n)
	return n
}

// load sends a mix of reads and writes (each PATCH changes the item: a
// write-transaction of four round trips to the database) until ctx ends.
func load(ctx context.Context, apis []*api, id string) *sync.WaitGroup {
	var wg sync.WaitGroup
	for w := range 6 {
		a := apis[w%len(apis)]
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				req, _ := http.NewRequestWithContext(ctx, "GET", a.base+"/v1/items/"+id, nil)
				if (w+n)%4 == 0 {
					body := fmt.Sprintf(`{"description":"write %d.%d"}`, w, n)
					req, _ = http.NewRequestWithContext(ctx, "PATCH", a.base+"/v1/items/"+id, strings.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+token)
				}
				if resp, err := client.Do(req); err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	return &wg
}

// The program's alert rules (GOAPI_RULES: the local stack's, with the for
// windows shortened through goapi:observability, the expressions as
// declared) on a real Prometheus scraping two API processes: nothing fires
// at rest; with the database stopped the error-rate and database alerts
// fire; with every round trip to it delayed, the P99 latency alert fires for
// the route whose requests take four of them.
func TestAlertsFireOnARealPrometheus(t *testing.T) {
	rules := tool(t, "GOAPI_RULES")
	c := startCollector(t)
	schema := pg.Schema(t)
	migrateSchema(t, schema)
	u, err := url.Parse(schema)
	if err != nil {
		t.Fatal(err)
	}
	proxy := startDelayProxy(t, u.Host)
	u.Host = proxy.addr
	viaProxy := u.String()
	apis := []*api{startAPI(t, append(traceEnv(c), "DATABASE_URL="+viaProxy, "DB_STATEMENT_TIMEOUT=3s")...), startAPI(t, append(traceEnv(c), "DATABASE_URL="+viaProxy, "DB_STATEMENT_TIMEOUT=3s")...)}
	for _, a := range apis {
		waitFor(t, "ready", 10*time.Second, func() bool { return a.status("/readyz") == 200 })
	}
	resp, body := apis[0].send(t, "POST", "/v1/items", `{"name":"watched"}`)
	if resp.StatusCode != 201 {
		t.Fatalf("POST: %d %s", resp.StatusCode, body)
	}
	id := decodeJSON[item](t, body).ID

	targets := map[string]string{}
	for i, a := range apis {
		targets[fmt.Sprintf("goapi-test-%d", i+1)] = strings.TrimPrefix(a.metrics, "http://")
	}
	p := startPrometheus(t, rules, targets)
	ctx, stop := context.WithCancel(context.Background())
	traffic := load(ctx, apis, id)
	t.Cleanup(func() { stop(); traffic.Wait() })
	waitFor(t, "both targets scraped and ready", 30*time.Second, func() bool { return p.readyTargets(t) == 2 })
	// A rule evaluated before the first scrape sees no pod at all, and
	// GoapiNoReadyPods rightly goes pending; the next evaluation with the
	// scraped samples clears it.
	waitFor(t, "the rules evaluated on scraped samples", 10*time.Second, func() bool { return len(p.alerts(t)) == 0 })

	// At rest: a minute of traffic (the error window) with nothing pending or firing.
	started := time.Now()
	for time.Since(started) < 70*time.Second {
		var active []string
		for _, a := range p.alerts(t) {
			active = append(active, a.Labels["alertname"]+" "+a.State)
		}
		if len(active) > 0 {
			t.Fatalf("at rest, after %s: %v", time.Since(started).Round(time.Second), active)
		}
		time.Sleep(2 * time.Second)
	}
	t.Logf("at rest: no alert pending or firing for %s of traffic", time.Since(started).Round(time.Second))

	// Exemplars: a sampled request's trace id on the latency histogram leads to its trace.
	var exemplars []struct {
		Exemplars []struct {
			Labels map[string]string `json:"labels"`
		} `json:"exemplars"`
	}
	q := url.QueryEscape(`http_request_duration_seconds_bucket{job="goapi"}`)
	p.api(t, fmt.Sprintf("/api/v1/query_exemplars?query=%s&start=%d&end=%d", q, started.Add(-time.Minute).Unix(), time.Now().Unix()), &exemplars)
	var traceID string
	for _, e := range exemplars {
		for _, x := range e.Exemplars {
			traceID = x.Labels["trace_id"]
		}
	}
	if traceID == "" {
		t.Fatal("Prometheus stored no exemplar with a trace_id")
	}
	waitFor(t, "the exemplar's trace in the collector", 10*time.Second, func() bool { return len(c.spansOf(t, traceID)) > 0 })
	t.Logf("exemplar trace_id %s: %d spans in the collector", traceID, len(c.spansOf(t, traceID)))

	// The database stops.
	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.Resume() })
	down := time.Now()
	want := []string{"GoapiDatabaseUnavailable", "GoapiHighErrorRate"}
	var seen []string
	waitFor(t, "the error-rate and database alerts to fire", 90*time.Second, func() bool {
		seen = firing(p.alerts(t))
		return !slices.ContainsFunc(want, func(w string) bool { return !slices.Contains(seen, w) })
	})
	t.Logf("database stopped: after %s firing %v", time.Since(down).Round(time.Second), firing(p.alerts(t), "route", "pod"))

	// It is back, and every round trip to it takes 150 ms more.
	if err := pg.Resume(); err != nil {
		t.Fatal(err)
	}
	proxy.delay.Store(int64(150 * time.Millisecond))
	slow := time.Now()
	waitFor(t, "the P99 latency alert to fire", 120*time.Second, func() bool {
		return slices.Contains(firing(p.alerts(t), "route"), "GoapiHighLatency{route=PATCH /v1/items/{id}}")
	})
	t.Logf("database 150 ms slower per round trip: after %s firing %v", time.Since(slow).Round(time.Second), firing(p.alerts(t), "route", "pod"))
	if slices.Contains(firing(p.alerts(t), "route"), "GoapiHighLatency{route=GET /v1/items/{id}}") {
		t.Fatal("the latency alert fired for GET /v1/items/{id}, a single round trip")
	}
}
