package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"goapi/internal/config"
	"goapi/internal/postgres"
)

// connectTimeout bounds how long migrate tries to connect when the URL sets
// no connect_timeout: a database that does not answer fails the run (exit 1)
// for the orchestrator to retry, instead of hanging it.
const connectTimeout = 10 * time.Second

// retryDelay is the pause between two connection attempts.
const retryDelay = 500 * time.Millisecond

// migrate applies the embedded migrations and exits: 0 when the schema is at
// this build's version (also when there was nothing to do, or when another
// run did it meanwhile), 1 when it could not (one JSON log line says why),
// 2 on bad configuration. It reads only DATABASE_URL and LOG_LEVEL.
func migrate() int {
	cfg, err := config.LoadMigrate(os.LookupEnv)
	if err != nil {
		return configFailed(err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	cc, err := pgx.ParseConfig(cfg.URL.Reveal())
	if err != nil {
		log.Error("migration failed", "error", "DATABASE_URL is not a PostgreSQL connection URL")
		return exitFailed
	}
	if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = connectTimeout
	}
	cc.RuntimeParams["application_name"] = "goapi-migrate"
	conn, err := connect(ctx, cc, log)
	if err != nil {
		log.Error("migration failed", "error", fmt.Sprintf("connect: %v", err))
		return exitFailed
	}
	defer func() { _ = conn.Close(context.Background()) }()

	res, err := postgres.Migrate(ctx, conn, log)
	if err != nil {
		log.Error("migration failed", "error", err.Error())
		return exitFailed
	}
	log.Info("schema up to date", "from_version", res.From, "to_version", res.To, "applied", len(res.Applied))
	return exitOK
}

// connect tries again until the connect timeout has passed since the first
// attempt. A pod's network may not let it through in its first moments: a
// NetworkPolicy enforcer that programs a new pod's rules after it starts
// (kube-router does, as the real-node checks showed) refuses its first
// connections and its DNS queries. An answer from the server itself (a wrong
// password, a missing database) is final.
func connect(ctx context.Context, cc *pgx.ConnConfig, log *slog.Logger) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, cc.ConnectTimeout)
	defer cancel()
	for attempt := 1; ; attempt++ {
		conn, err := pgx.ConnectConfig(ctx, cc)
		var refused *pgconn.PgError
		if err == nil || errors.As(err, &refused) {
			return conn, err
		}
		log.Warn("database not reachable yet", "attempt", attempt, "error", err.Error())
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(retryDelay):
		}
	}
}
