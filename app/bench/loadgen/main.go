// Command loadgen drives the benchmark: a fixed number of keep-alive
// connections, each sending GET /v1/items/{id} with every n-th request a
// POST, for a fixed time (over wireConn, not net/http's client: wire.go); it
// prints requests/s and latency percentiles.
// With -ready it instead waits for URL/readyz and prints how long since -since.
// With -rate it sends GETs at that fixed rate instead (an open loop, so a slow
// or failing server does not slow the load down), until -d passes or it is
// interrupted, and prints every failure: a rollout check's load. -host sets
// the Host header (a route's hostname on a gateway), -progress prints the
// running counts every so often (per-step figures of a canary release).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"time"

	"goapi/bench/latency"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "server base URL")
	id := flag.String("id", "", "item id to GET")
	token := flag.String("token", "", "bearer token for POST")
	conns := flag.Int("c", 64, "concurrent connections")
	duration := flag.Duration("d", 10*time.Second, "how long to send requests")
	postEvery := flag.Int("post-every", 10, "every n-th request is a POST (0: none)")
	ready := flag.Bool("ready", false, "wait for /readyz and print the time since -since")
	since := flag.Int64("since", 0, "start time in Unix nanoseconds, with -ready")
	rate := flag.Int("rate", 0, "GETs per second at a fixed rate, until -d passes or SIGINT/SIGTERM (0: closed loop on -c connections)")
	host := flag.String("host", "", "Host header of the -rate GETs (default: the URL's host)")
	progress := flag.Duration("progress", 0, "with -rate, print the running counts this often (0: never)")
	flag.Parse()

	if *ready {
		os.Exit(waitReady(*base, time.Unix(0, *since)))
	}
	if *id == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -id is required")
		os.Exit(2)
	}
	if *rate > 0 {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		r := paced(ctx, pacedArgs{url: *base + "/v1/items/" + *id, host: *host, rate: *rate, conns: *conns, d: *duration, progress: *progress, out: os.Stdout})
		for _, f := range r.failures {
			fmt.Println("failure:", f)
		}
		fmt.Printf("requests=%d failed=%d seconds=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f\n",
			r.Count, r.Errors, r.elapsed.Seconds(), ms(r.Percentile(0.50)), ms(r.Percentile(0.99)), ms(r.Percentile(1)))
		return
	}
	cpu := latency.CPU()
	r, err := run(*base, *id, *token, *conns, *duration, *postEvery)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(2)
	}
	fmt.Println(r.Line(*duration, latency.CPU()-cpu))
}

func run(base, id, token string, conns int, d time.Duration, postEvery int) (latency.Result, error) {
	reqs, err := newWireRequests(base, id, token, []byte(`{"name":"bench","description":"load generator item"}`))
	if err != nil {
		return latency.Result{}, err
	}
	deadline := time.Now().Add(d)
	results := make([]latency.Result, conns)
	var wg sync.WaitGroup
	for w := range conns {
		wg.Go(func() {
			res := &results[w]
			c := &wireConn{addr: reqs.addr}
			defer c.close()
			for n := 0; time.Now().Before(deadline); n++ {
				req := reqs.get
				if postEvery > 0 && n%postEvery == postEvery-1 {
					req = reqs.post
				}
				start := time.Now()
				status, err := c.do(req)
				res.Add(time.Since(start), err != nil || status >= 400)
			}
		})
	}
	wg.Wait()
	return latency.Merge(results), nil
}

func waitReady(base string, since time.Time) int {
	client := &http.Client{Timeout: 100 * time.Millisecond}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		resp, err := client.Get(base + "/readyz")
		if err != nil {
			continue
		}
		_ = resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			fmt.Println(strconv.FormatFloat(float64(time.Since(since).Microseconds())/1000, 'f', 1, 64))
			return 0
		}
	}
	fmt.Fprintln(os.Stderr, "loadgen: not ready within 10s")
	return 1
}

type pacedResult struct {
	latency.Result
	failures []string
	elapsed  time.Duration
}

type pacedArgs struct {
	url, host   string
	rate, conns int
	d           time.Duration
	// progress: how often to write "progress seconds=S requests=N failed=F" to out (0: never).
	progress time.Duration
	out      io.Writer
}

// paced sends a GET to url (with Host: host, when set) every 1/rate s, each
// on its own goroutine, with at most conns in flight (a request that finds
// none free counts as failed), until ctx ends or d passes; it then waits for
// the requests in flight. Every non-2xx answer and every connection error is
// a failure. Requests are counted when they end.
func paced(ctx context.Context, a pacedArgs) pacedResult {
	url, rate, conns, d := a.url, a.rate, a.conns, a.d
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns},
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var (
		mu  sync.Mutex
		res pacedResult
		wg  sync.WaitGroup
	)
	slots := make(chan struct{}, conns)
	fail := func(what string) {
		res.Errors++
		if len(res.failures) < 20 {
			res.failures = append(res.failures, time.Now().Format("15:04:05.000")+" "+what)
		}
	}
	start := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	var report <-chan time.Time
	if a.progress > 0 {
		t := time.NewTicker(a.progress)
		defer t.Stop()
		report = t.C
	}
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
		case <-report:
			mu.Lock()
			_, _ = fmt.Fprintf(a.out, "progress seconds=%.1f requests=%d failed=%d\n", time.Since(start).Seconds(), res.Count, res.Errors)
			mu.Unlock()
		case <-tick.C:
			select {
			case slots <- struct{}{}:
			default:
				mu.Lock()
				res.Count++
				fail(fmt.Sprintf("all %d connections busy", conns))
				mu.Unlock()
				continue
			}
			wg.Go(func() {
				defer func() { <-slots }()
				began := time.Now()
				resp, err := get(client, url, a.host)
				status := 0
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					status = resp.StatusCode
				}
				mu.Lock()
				defer mu.Unlock()
				res.Count++
				res.Latencies = append(res.Latencies, time.Since(began))
				switch {
				case err != nil:
					fail(err.Error())
				case status < 200 || status > 299:
					fail(fmt.Sprintf("HTTP %d", status))
				}
			})
		}
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	slices.Sort(res.Latencies)
	return res
}

func get(client *http.Client, url, host string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if host != "" {
		req.Host = host
	}
	return client.Do(req)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
