// Package latency is what the benchmark's drivers (bench/loadgen over HTTP,
// bench/dbfloor straight to the store) count and print, in one format that
// bench/run.sh reads: requests, errors, throughput, percentiles, and the
// driver's own share of the machine's CPU.
package latency

import (
	"fmt"
	"runtime"
	"slices"
	"syscall"
	"time"
)

// Result is what one worker, or all of them merged, saw.
type Result struct {
	Count, Errors int
	Latencies     []time.Duration
}

// Add records one request.
func (r *Result) Add(took time.Duration, failed bool) {
	r.Latencies = append(r.Latencies, took)
	r.Count++
	if failed {
		r.Errors++
	}
}

// Merge is every worker's results in one, latencies sorted.
func Merge(results []Result) Result {
	var all Result
	for _, r := range results {
		all.Count += r.Count
		all.Errors += r.Errors
		all.Latencies = append(all.Latencies, r.Latencies...)
	}
	slices.Sort(all.Latencies)
	return all
}

// Percentile is the latency below which a share p of the requests fell.
func (r Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[int(p*float64(len(r.Latencies)-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// CPU is the CPU time this process has used so far.
func CPU() time.Duration {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano())
}

// Line is r over a run of wall time d in which the driver itself used cpu:
// cpu_share is that CPU time over all the machine's cores for d, the part of
// the machine the servers under test did not get.
func (r Result) Line(d, cpu time.Duration) string {
	share := cpu.Seconds() / (d.Seconds() * float64(runtime.NumCPU()))
	return fmt.Sprintf("requests=%d errors=%d rps=%.0f p50_ms=%.3f p99_ms=%.3f cpu_share=%.2f",
		r.Count, r.Errors, float64(r.Count)/d.Seconds(), ms(r.Percentile(0.50)), ms(r.Percentile(0.99)), share)
}
