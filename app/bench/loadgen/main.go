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
	"strconv"
	"sync"
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
	flag.Parse()

	if *ready {
		os.Exit(waitReady(*base, time.Unix(0, *since)))
	}
	if *id == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -id is required")
		os.Exit(2)
	}
	cpu := latency.CPU()
	r := run(*base, *id, *token, *conns, *duration, *postEvery)
	fmt.Println(r.Line(*duration, latency.CPU()-cpu))
}

func run(base, id, token string, conns int, d time.Duration, postEvery int) latency.Result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}}
	getURL, postURL := base+"/v1/items/"+id, base+"/v1/items"
	body := []byte(`{"name":"bench","description":"load generator item"}`)
	deadline := time.Now().Add(d)
	results := make([]latency.Result, conns)
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
				res.Add(time.Since(start), err != nil || resp.StatusCode >= 400)
			}
		})
	}
	wg.Wait()
	return latency.Merge(results)
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
