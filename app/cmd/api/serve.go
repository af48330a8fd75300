package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/jackc/pgx/v5/pgxpool"

	"goapi/internal/config"
	"goapi/internal/postgres"
	"goapi/internal/server"
	"goapi/internal/version"
)

// serve runs the API until SIGTERM or SIGINT. It starts whether or not the
// database answers: readiness says when it does, so a database that is late
// or restarting never makes the pod crash-loop.
func serve() int {
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		return configFailed(err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	v := version.Get()
	log.Info("starting", "version", v.Version, "commit", v.Commit, "schema_version", postgres.SchemaVersion)

	pools, err := openPools(cfg.Database)
	if err != nil {
		log.Error("cannot set up the database pool", "error", err)
		return exitFailed
	}
	// Closed after Serve returns, that is after in-flight requests finished.
	defer pools.close()

	srv := server.New(cfg, log, server.Deps{
		Store:    postgres.NewStore(pools.store, cfg.Database.StatementTimeout),
		Database: postgres.Ready(pools.ready),
	})
	if err := srv.Listen(""); err != nil {
		log.Error("cannot listen", "error", err)
		return exitFailed
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := srv.Serve(ctx); err != nil {
		log.Error("server failed", "error", err)
		return exitFailed
	}
	return exitOK
}

type pools struct{ store, ready *pgxpool.Pool }

// openPools makes the request pool and a one-connection pool for readiness,
// so a saturated request pool never makes the pod look unready. Neither
// connects until first used.
func openPools(db config.Database) (pools, error) {
	pc, err := postgres.PoolConfig(db)
	if err != nil {
		return pools{}, err
	}
	store, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		return pools{}, err
	}
	rc := pc.Copy()
	rc.MaxConns = 1
	ready, err := pgxpool.NewWithConfig(context.Background(), rc)
	if err != nil {
		store.Close()
		return pools{}, err
	}
	return pools{store, ready}, nil
}

func (p pools) close() {
	p.store.Close()
	p.ready.Close()
}
