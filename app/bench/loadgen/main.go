// Command loadgen drives the benchmark: a fixed number of keep-alive
// connections, each sending GET /v1/items/{id} with every n-th request a
// POST, for a fixed time; it prints requests/s and latency percentiles.
// With -ready it instead waits for URL/readyz and prints how long since -since.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"
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
	flag.Parse()

	if *ready {
		os.Exit(waitReady(*base, time.Unix(0, *since)))
	}
	if *id == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -id is required")
		os.Exit(2)
	}
	r := run(*base, *id, *token, *conns, *duration, *postEvery)
	fmt.Printf("requests=%d errors=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f\n",
		r.count, r.errors, float64(r.count)/duration.Seconds(), ms(r.pct(0.50)), ms(r.pct(0.99)))
}

type result struct {
	count, errors int
	latencies     []time.Duration
}

func (r result) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[int(p*float64(len(r.latencies)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func run(base, id, token string, conns int, d time.Duration, postEvery int) result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
	getURL, postURL := base+"/v1/items/"+id, base+"/v1/items"
	body := []byte(`{"name":"bench","description":"load generator item"}`)
	deadline := time.Now().Add(d)
	results := make([]result, conns)
	var wg sync.WaitGroup
	for w := range conns {
		wg.Go(func() {
			res := &results[w]
			for n := 0; time.Now().Before(deadline); n++ {
				var req *http.Request
				if postEvery > 0 && n%postEvery == postEvery-1 {
					req, _ = http.NewRequest("POST", postURL, bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+token)
				} else {
					req, _ = http.NewRequest("GET", getURL, nil)
				}
				start := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
				}
				res.latencies = append(res.latencies, time.Since(start))
				res.count++
				if err != nil || resp.StatusCode >= 400 {
					res.errors++
				}
			}
		})
	}
	wg.Wait()
	var all result
	for _, r := range results {
		all.count += r.count
		all.errors += r.errors
		all.latencies = append(all.latencies, r.latencies...)
	}
	slices.Sort(all.latencies)
	return all
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
			fmt.Println(strconv.FormatFloat(ms(time.Since(since)), 'f', 1, 64))
			return 0
		}
	}
	fmt.Fprintln(os.Stderr, "loadgen: not ready within 10s")
	return 1
}
