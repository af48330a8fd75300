// Command dbfloor is the benchmark's database floor: the API's own reads and
// writes (postgres.Store: GET an item, every n-th request a create) on a pool
// built exactly as the API builds it from the same environment, at the same
// concurrency, with no HTTP in between. The API on PostgreSQL divided by this
// is what the server, the middleware and JSON cost on top of the database.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"goapi/bench/latency"
	"goapi/internal/config"
	"goapi/internal/items"
	"goapi/internal/postgres"
)

func main() {
	conns := flag.Int("c", 64, "concurrent workers, as loadgen's connections")
	duration := flag.Duration("d", 10*time.Second, "how long to send requests")
	postEvery := flag.Int("post-every", 10, "every n-th request is a create (0: none)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the timed loop to this file")
	flag.Parse()

	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "dbfloor: config: %v\n", err)
		os.Exit(2)
	}
	pc, err := postgres.PoolConfig(cfg.Database)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbfloor:", err)
		os.Exit(2)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbfloor:", err)
		os.Exit(1)
	}
	defer pool.Close()
	store := postgres.NewStore(pool, cfg.Database.StatementTimeout)
	fields := items.Fields{Name: "bench", Description: "load generator item"}
	item, err := store.Create(context.Background(), fields)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dbfloor: create:", err)
		os.Exit(1)
	}

	stopProfile := func() {}
	if *cpuProfile != "" {
		if stopProfile, err = profileCPU(*cpuProfile); err != nil {
			fmt.Fprintln(os.Stderr, "dbfloor:", err)
			os.Exit(1)
		}
	}
	cpu := latency.CPU()
	deadline := time.Now().Add(*duration)
	results := make([]latency.Result, *conns)
	var wg sync.WaitGroup
	for w := range *conns {
		wg.Go(func() {
			res := &results[w]
			for n := 0; time.Now().Before(deadline); n++ {
				start := time.Now()
				var err error
				if *postEvery > 0 && n%*postEvery == *postEvery-1 {
					_, err = store.Create(context.Background(), fields)
				} else {
					_, err = store.Get(context.Background(), item.ID)
				}
				res.Add(time.Since(start), err != nil)
			}
		})
	}
	wg.Wait()
	stopProfile()
	fmt.Println(latency.Merge(results).Line(*duration, latency.CPU()-cpu))
}

// profileCPU starts a CPU profile into path; the returned func stops it, so
// the floor's own loop can be compared with a profile of the API under the
// same load (the API's is taken through a local build, see app/README.md).
func profileCPU(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}, nil
}
