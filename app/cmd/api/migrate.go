package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"goapi/internal/config"
	"goapi/internal/postgres"
)

// connectTimeout bounds the connection attempt of migrate when the URL sets
// no connect_timeout: a database that does not answer fails the run (exit 1)
// for the orchestrator to retry, instead of hanging it.
const connectTimeout = 10 * time.Second

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
	conn, err := pgx.ConnectConfig(ctx, cc)
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
