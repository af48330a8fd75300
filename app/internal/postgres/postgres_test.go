package postgres

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"goapi/internal/config"
	"goapi/internal/items"
	"goapi/internal/items/itemstest"
	"goapi/internal/pgtest"
)

// pg is this package's own PostgreSQL: every test gets a new database on it.
var pg *pgtest.Server

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, &pg)) }

var quiet = slog.New(slog.DiscardHandler)

func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func pool(t *testing.T, url string, maxConns int32, timeout time.Duration) *pgxpool.Pool {
	t.Helper()
	pc, err := PoolConfig(config.Database{URL: config.Secret(url), MaxConns: maxConns, StatementTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	p, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// migrated returns the URL of a new database at SchemaVersion.
func migrated(t *testing.T) string {
	t.Helper()
	url := pg.Schema(t)
	if _, err := Migrate(context.Background(), connect(t, url), quiet); err != nil {
		t.Fatal(err)
	}
	return url
}

func TestStore(t *testing.T) {
	itemstest.TestStore(t, func(t *testing.T) items.Store {
		return NewStore(pool(t, migrated(t), 4, 5*time.Second), 5*time.Second)
	})
}

func TestPoolConfig(t *testing.T) {
	p := pool(t, migrated(t), 3, 1500*time.Millisecond)
	if got := p.Config().MaxConns; got != 3 {
		t.Fatalf("MaxConns %d", got)
	}
	var timeout, app string
	if err := p.QueryRow(context.Background(), "SELECT current_setting('statement_timeout'), current_setting('application_name')").Scan(&timeout, &app); err != nil {
		t.Fatal(err)
	}
	if timeout != "1500ms" || app != "goapi" {
		t.Fatalf("statement_timeout %q, application_name %q", timeout, app)
	}
}

func TestStatementTimeoutIsUnavailable(t *testing.T) {
	p := pool(t, migrated(t), 2, 200*time.Millisecond)
	_, err := p.Exec(context.Background(), "SELECT pg_sleep(2)")
	if !unavailable(err) {
		t.Fatalf("a statement timeout must count as unavailable: %v", err)
	}
	// The client-side deadline, which also covers waiting for a connection.
	s := NewStore(p, 200*time.Millisecond)
	conns := []*pgxpool.Conn{}
	for range 2 {
		c, err := p.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	start := time.Now()
	_, err = s.Get(context.Background(), items.NewID())
	if !isUnavailable(err) || time.Since(start) > 2*time.Second {
		t.Fatalf("a full pool must give up after the timeout with ErrUnavailable: %v after %s", err, time.Since(start))
	}
	for _, c := range conns {
		c.Release()
	}
}

func TestClassify(t *testing.T) {
	url := migrated(t)
	s := NewStore(pool(t, url, 2, 5*time.Second), 5*time.Second)
	// A bug (here: a query against a table that is not there) is not an
	// outage: it stays a plain error, a 500.
	_, err := s.pool.Exec(context.Background(), "SELECT * FROM no_such_table")
	if err == nil || unavailable(err) {
		t.Fatalf("undefined table classified as unavailable: %v", err)
	}
	// Nothing listens on the port: unavailable.
	closed := NewStore(pool(t, "postgres://goapi:pw@127.0.0.1:1/x?sslmode=disable&connect_timeout=2", 1, time.Second), time.Second)
	if _, err := closed.List(context.Background(), "", 1); !isUnavailable(err) {
		t.Fatalf("connection refused: %v", err)
	}
}

func isUnavailable(err error) bool {
	return err != nil && errors.Is(err, items.ErrUnavailable)
}
