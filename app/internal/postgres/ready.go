package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Ready returns the readiness check: the database answers and has at least
// the schema this binary needs. It runs on its own pool, so a busy request
// pool never makes the pod look unready.
func Ready(pool *pgxpool.Pool) func(context.Context) error {
	return func(ctx context.Context) error {
		var version int
		err := pool.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM "+migrationsTable).Scan(&version)
		if err != nil {
			return fmt.Errorf("query the schema version: %w", err)
		}
		if version < SchemaVersion {
			return fmt.Errorf("the database schema is at version %d, this binary needs %d: run the migrate subcommand", version, SchemaVersion)
		}
		return nil
	}
}
