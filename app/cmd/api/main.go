// Command api serves the items API. Configuration comes from the environment
// (see app/README.md); a bad value exits with code 2 before anything listens.
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
	"goapi/internal/version"
)

func main() {
	os.Exit(run())
}

func run() int {
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "config: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	v := version.Get()
	log.Info("starting", "version", v.Version, "commit", v.Commit)

	// Still in process memory; the PostgreSQL store replaces it next.
	srv := server.New(cfg, log, server.Deps{Store: itemstest.NewStore()})
	if err := srv.Listen(""); err != nil {
		log.Error("cannot listen", "error", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := srv.Serve(ctx); err != nil {
		log.Error("server failed", "error", err)
		return 1
	}
	return 0
}
