package postgres

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

func TestEmbeddedMigrationsAreNumberedWithoutGaps(t *testing.T) {
	ms, err := Migrations()
	if err != nil || len(ms) == 0 || SchemaVersion != len(ms) {
		t.Fatalf("migrations %d, SchemaVersion %d: %v", len(ms), SchemaVersion, err)
	}
	for name, files := range map[string]fstest.MapFS{
		"gap":      {"m/0001_a.sql": {}, "m/0003_c.sql": {}},
		"repeat":   {"m/0001_a.sql": {}, "m/0001_b.sql": {}},
		"bad name": {"m/1_a.sql": {}},
	} {
		if _, err := parseMigrations(files, "m"); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
}

func TestMigrateFreshThenAgain(t *testing.T) {
	ctx := context.Background()
	url := pg.Schema(t)
	if err := Ready(pool(t, url, 1, time.Second))(ctx); err == nil {
		t.Fatal("an empty database is ready")
	}
	conn := connect(t, url)
	res, err := Migrate(ctx, conn, quiet)
	if err != nil || res.From != 0 || res.To != SchemaVersion || len(res.Applied) != SchemaVersion {
		t.Fatalf("fresh: %+v %v", res, err)
	}
	res, err = Migrate(ctx, conn, quiet)
	if err != nil || res.From != SchemaVersion || res.To != SchemaVersion || len(res.Applied) != 0 {
		t.Fatalf("again: %+v %v", res, err)
	}
	if err := Ready(pool(t, url, 1, time.Second))(ctx); err != nil {
		t.Fatalf("migrated database not ready: %v", err)
	}
	var locks int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'").Scan(&locks); err != nil || locks != 0 {
		t.Fatalf("advisory lock still held: %d %v", locks, err)
	}
}

func TestMigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	url := pg.Schema(t)
	const runs = 4
	var wg sync.WaitGroup
	results := make([]MigrateResult, runs)
	errs := make([]error, runs)
	for i := range runs {
		conn := connect(t, url)
		wg.Go(func() { results[i], errs[i] = Migrate(ctx, conn, quiet) })
	}
	wg.Wait()
	applied := 0
	for i := range runs {
		if errs[i] != nil {
			t.Fatalf("run %d: %v", i, errs[i])
		}
		applied += len(results[i].Applied)
	}
	if applied != SchemaVersion {
		t.Fatalf("%d concurrent runs applied %d migrations in all, want %d", runs, applied, SchemaVersion)
	}
	var rows int
	if err := connect(t, url).QueryRow(ctx, "SELECT count(*) FROM "+migrationsTable).Scan(&rows); err != nil || rows != SchemaVersion {
		t.Fatalf("%d rows in %s: %v", rows, migrationsTable, err)
	}
}

func TestMigrateWaitsForTheLock(t *testing.T) {
	ctx := context.Background()
	url := pg.Schema(t)
	holder := connect(t, url)
	if _, err := holder.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	done := make(chan error, 1)
	go func() {
		_, err := Migrate(ctx, connect(t, url), slog.New(slog.NewJSONHandler(&logs, nil)))
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("migrated while another run held the lock: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	if _, err := holder.Exec(ctx, "SELECT pg_advisory_unlock($1)", lockKey); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "waiting for it") {
		t.Fatalf("no line says it waits: %s", logs.String())
	}
}

func TestMigrateRefusesAnEditedMigration(t *testing.T) {
	ctx := context.Background()
	url := migrated(t)
	conn := connect(t, url)
	if _, err := conn.Exec(ctx, "UPDATE "+migrationsTable+" SET checksum = 'edited' WHERE version = 1"); err != nil {
		t.Fatal(err)
	}
	if _, err := Migrate(ctx, conn, quiet); err == nil || !strings.Contains(err.Error(), "changed after it was applied") {
		t.Fatalf("edited migration: %v", err)
	}
}

func TestMigrateLeavesNewerVersions(t *testing.T) {
	ctx := context.Background()
	url := migrated(t)
	conn := connect(t, url)
	if _, err := conn.Exec(ctx, "INSERT INTO "+migrationsTable+" (version, name, checksum) VALUES ($1, 'from_a_newer_binary', 'x')", SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	res, err := Migrate(ctx, conn, quiet)
	if err != nil || len(res.Applied) != 0 || res.To != SchemaVersion+1 {
		t.Fatalf("an older binary after a newer one: %+v %v", res, err)
	}
	if err := Ready(pool(t, url, 1, time.Second))(ctx); err != nil {
		t.Fatalf("an older binary must stay ready on a newer schema (rollbacks): %v", err)
	}
}

func TestFailedMigrationLeavesNothingHalfDone(t *testing.T) {
	ctx := context.Background()
	url := pg.Schema(t)
	conn := connect(t, url)
	// A table in the way makes 0001 fail part way.
	if _, err := conn.Exec(ctx, "CREATE TABLE items (x int)"); err != nil {
		t.Fatal(err)
	}
	if _, err := Migrate(ctx, conn, quiet); err == nil || !strings.Contains(err.Error(), "0001_create_items") {
		t.Fatalf("want the failing migration named: %v", err)
	}
	var rows int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+migrationsTable).Scan(&rows); err != nil || rows != 0 {
		t.Fatalf("a failed migration was recorded: %d %v", rows, err)
	}
}
