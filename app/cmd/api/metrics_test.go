package main

import (
	"bufio"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"
)

// exposedFile lists the metric families the app promises the alert rules and
// the dashboard (the program's PromQL is checked against it), one
// "name type" a line.
const exposedFile = "../../internal/metrics/exposed.txt"

// scrape reads the "# TYPE name type" lines of a scrape in the text format,
// and every sample line as it is.
func scrape(t *testing.T, metricsBase string) (map[string]string, map[string]bool) {
	t.Helper()
	resp, err := client.Get(metricsBase + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("a scrape without an Accept header got %q, want the text format", ct)
	}
	found, samples := map[string]string{}, map[string]bool{}
	scanner := bufio.NewScanner(resp.Body)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		line := scanner.Text()
		if f := strings.Fields(line); len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			found[f[2]] = f[3]
		}
		samples[line] = true
	}
	return found, samples
}

// The real binary on a real database serves every family the list promises,
// with its type, and the list leaves out none of the app's own (only the Go
// runtime's and the process collector's may go unlisted).
func TestMetricsKeepTheirContract(t *testing.T) {
	url := pg.Schema(t)
	migrateSchema(t, url)
	a := startAPI(t, "DATABASE_URL="+url)
	waitFor(t, "ready", 5*time.Second, func() bool { return a.status("/readyz") == 200 })
	if got := a.status("/v1/items"); got != 200 {
		t.Fatalf("GET /v1/items: %d", got)
	}
	served, samples := scrape(t, a.metrics)
	for _, want := range []string{
		`goapi_build_info{commit="abc1234",goversion="` + runtime.Version() + `",version="9.9.9-test"} 1`,
		`goapi_ready 1`,
		`goapi_database_up 1`,
		`db_pool_max_connections{pool="store"} 5`,
		`db_pool_max_connections{pool="readiness"} 1`,
		`http_requests_total{code="200",method="GET",route="GET /v1/items"} 1`,
	} {
		if !samples[want] {
			t.Errorf("the scrape lacks the line %s", want)
		}
	}

	f, err := os.Open(exposedFile)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	text, _ := io.ReadAll(f)
	listed := map[string]string{}
	for line := range strings.SplitSeq(string(text), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, kind, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("%s: %q is not \"name type\"", exposedFile, line)
		}
		listed[name] = kind
	}

	var problems []string
	for name, kind := range listed {
		if served[name] != kind {
			problems = append(problems, "listed "+name+" "+kind+", served as "+orNone(served[name]))
		}
	}
	for name, kind := range served {
		own := !strings.HasPrefix(name, "go_") && !strings.HasPrefix(name, "process_") && !strings.HasPrefix(name, "promhttp_")
		if _, ok := listed[name]; own && !ok {
			problems = append(problems, "served "+name+" "+kind+", not listed")
		}
	}
	sort.Strings(problems)
	if len(problems) > 0 {
		t.Fatalf("%s and the binary disagree:\n%s", exposedFile, strings.Join(problems, "\n"))
	}
}

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}
