// Command memapi is the benchmark's in-memory baseline: the same server,
// routes and middleware as the API, on the test double store instead of
// PostgreSQL, so the difference to the API measures the database.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"goapi/internal/config"
	"goapi/internal/items/itemstest"
	"goapi/internal/server"
)

func main() {
	lookup := func(k string) (string, bool) {
		if k == "DATABASE_URL" {
			return "postgres://unused@127.0.0.1/unused", true // config requires one; nothing connects
		}
		return os.LookupEnv(k)
	}
	cfg, err := config.Load(lookup)
	if err != nil {
		fmt.Fprintf(os.Stderr, "config: %v\n", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	srv := server.New(cfg, log, server.Deps{Store: itemstest.NewStore()})
	if err := srv.Listen("127.0.0.1"); err != nil {
		log.Error("cannot listen", "error", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := srv.Serve(ctx); err != nil {
		log.Error("server failed", "error", err)
		os.Exit(1)
	}
}
