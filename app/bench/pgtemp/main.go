// Command pgtemp runs a throwaway PostgreSQL for the benchmark (see
// internal/pgtest): it prints a connection URL on stdout, then serves until
// SIGTERM or SIGINT, and removes the server and its directory on the way out.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"goapi/internal/pgtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	s, err := pgtest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer func() { _ = s.Close() }()
	url, err := s.CreateSchema(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtemp:", err)
		return
	}
	fmt.Println(url)
	<-ctx.Done()
}
