package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/exaring/otelpgx"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.opentelemetry.io/otel/metric/noop"

	"goapi/internal/config"
	"goapi/internal/metrics"
	"goapi/internal/postgres"
	"goapi/internal/server"
	"goapi/internal/telemetry"
	"goapi/internal/version"
)

// tracesFlushTimeout bounds the export of the last spans after the server
// stopped; it fits in the pod's termination slack, after drain and shutdown.
const tracesFlushTimeout = 3 * time.Second

// serve runs the API until SIGTERM or SIGINT. It starts whether or not the
// database answers: readiness says when it does, so a database that is late
// or restarting never makes the pod crash-loop.
func serve() int {
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		return configFailed(err)
	}
	log := slog.New(telemetry.LogHandler(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel})))
	tracing, err := telemetry.Setup(context.Background(), log)
	var configErr *config.Error
	if errors.As(err, &configErr) {
		return configFailed(err)
	}
	if err != nil {
		log.Error("cannot set up tracing", "error", err)
		return exitFailed
	}
	v := version.Get()
	log.Info("starting", "version", v.Version, "commit", v.Commit, "schema_version", postgres.SchemaVersion, "tracing", tracing != nil)
	if tracing != nil {
		defer func() {
			ctx, cancel := context.WithTimeout(context.Background(), tracesFlushTimeout)
			defer cancel()
			if err := tracing.Shutdown(ctx); err != nil {
				log.Warn("tracing: the last spans were not exported", "error", err)
			}
		}()
	}

	pools, err := openPools(cfg.Database, tracing)
	if err != nil {
		log.Error("cannot set up the database pool", "error", err)
		return exitFailed
	}
	// Closed after Serve returns, that is after in-flight requests finished.
	defer pools.close()

	srv := server.New(cfg, log, server.Deps{
		Store:    postgres.NewStore(pools.store, cfg.Database.StatementTimeout),
		Database: postgres.Ready(pools.ready),
		Pools:    []metrics.Pool{{Name: "store", Stat: pools.store.Stat}, {Name: "readiness", Stat: pools.ready.Stat}},
		Tracing:  tracing,
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
// connects until first used. With tracing, every call on the request pool
// (acquire, connect, query) is a child span of the request's span; the
// readiness pool's probes are not traced.
func openPools(db config.Database, tracing *telemetry.Tracing) (pools, error) {
	pc, err := postgres.PoolConfig(db)
	if err != nil {
		return pools{}, err
	}
	rc := pc.Copy()
	rc.MaxConns = 1
	if tracing != nil {
		pc.ConnConfig.Tracer = otelpgx.NewTracer(
			otelpgx.WithTracerProvider(tracing.Provider),
			otelpgx.WithMeterProvider(noop.NewMeterProvider()),
		)
	}
	store, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		return pools{}, err
	}
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
