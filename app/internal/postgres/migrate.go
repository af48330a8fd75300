package postgres

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one embedded schema change, applied once, in version order.
type Migration struct {
	Version  int
	Name     string
	SQL      string
	Checksum string
}

// migrationsTable records what was applied; the name keeps clear of other
// tools' tables in a shared database.
const migrationsTable = "goapi_schema_migrations"

// lockKey is the session advisory lock that serialises migration runs
// ("goapi" in ASCII).
const lockKey int64 = 0x676f617069

var fileName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql$`)

// Migrations returns the embedded migrations, numbered 1, 2, 3, ... without
// gaps (a test holds the files to this).
func Migrations() ([]Migration, error) {
	return parseMigrations(migrationFiles, "migrations")
}

func parseMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries { // ReadDir sorts by name
		m := fileName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %s: name must be NNNN_lower_case_name.sql", e.Name())
		}
		version, _ := strconv.Atoi(m[1])
		if version != len(ms)+1 {
			return nil, fmt.Errorf("migration file %s: version %d, want %d (no gaps, no repeats)", e.Name(), version, len(ms)+1)
		}
		sql, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(sql)
		ms = append(ms, Migration{Version: version, Name: m[2], SQL: string(sql), Checksum: hex.EncodeToString(sum[:])})
	}
	return ms, nil
}

// SchemaVersion is the version of the newest embedded migration: the schema
// this binary needs. Readiness waits for the database to have it.
var SchemaVersion = func() int {
	ms, err := Migrations()
	if err != nil {
		panic(err) // the files are embedded: a test catches this before a build ships
	}
	return len(ms)
}()

// MigrateResult says what a run found and did.
type MigrateResult struct {
	From, To int // schema versions before and after
	Applied  []Migration
}

// Migrate brings the database behind conn to SchemaVersion. Runs are
// serialised by a session advisory lock, and each migration is applied in a
// transaction together with its row in goapi_schema_migrations, so a second
// or concurrent run applies nothing twice and a failed migration leaves
// nothing half done. A migration that was changed after it was applied is an
// error: released migrations are never edited, a new one is added.
func Migrate(ctx context.Context, conn *pgx.Conn, log *slog.Logger) (MigrateResult, error) {
	ms, err := Migrations()
	if err != nil {
		return MigrateResult{}, err
	}
	var locked bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", lockKey).Scan(&locked); err != nil {
		return MigrateResult{}, fmt.Errorf("take the migration lock: %w", err)
	}
	if !locked {
		log.Info("another migration run holds the lock; waiting for it")
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
			return MigrateResult{}, fmt.Errorf("wait for the migration lock: %w", err)
		}
	}
	defer func() {
		// Ending the session releases the lock as well; this is for callers
		// that keep the connection.
		unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_, _ = conn.Exec(unlockCtx, "SELECT pg_advisory_unlock($1)", lockKey)
	}()

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS `+migrationsTable+` (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		checksum   text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return MigrateResult{}, fmt.Errorf("create %s: %w", migrationsTable, err)
	}
	applied := map[int]string{}
	rows, err := conn.Query(ctx, "SELECT version, checksum FROM "+migrationsTable)
	if err != nil {
		return MigrateResult{}, err
	}
	var version int
	var checksum string
	if _, err := pgx.ForEachRow(rows, []any{&version, &checksum}, func() error {
		applied[version] = checksum
		return nil
	}); err != nil {
		return MigrateResult{}, fmt.Errorf("read %s: %w", migrationsTable, err)
	}

	res := MigrateResult{From: maxKey(applied)}
	if res.From > len(ms) {
		log.Info("the database has migrations newer than this binary; leaving them", "database_version", res.From, "binary_version", len(ms))
	}
	for _, m := range ms {
		if sum, ok := applied[m.Version]; ok {
			if sum != m.Checksum {
				return res, fmt.Errorf("migration %04d_%s was changed after it was applied: add a new migration instead", m.Version, m.Name)
			}
			continue
		}
		start := time.Now()
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, "INSERT INTO "+migrationsTable+" (version, name, checksum) VALUES ($1, $2, $3)", m.Version, m.Name, m.Checksum)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
		log.Info("applied migration", "version", m.Version, "name", m.Name, "duration_ms", time.Since(start).Milliseconds())
		res.Applied = append(res.Applied, m)
	}
	res.To = max(res.From, len(ms))
	return res, nil
}

func maxKey(m map[int]string) int {
	n := 0
	for k := range m {
		n = max(n, k)
	}
	return n
}
