// Package postgres keeps items in PostgreSQL through a pgx pool, and owns the
// schema: the migrations embedded in the binary and the run that applies
// them.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"goapi/internal/config"
	"goapi/internal/items"
)

// PoolConfig is the pgx pool configuration for db: its URL, the pool size,
// and statement_timeout set on every connection.
func PoolConfig(db config.Database) (*pgxpool.Config, error) {
	pc, err := pgxpool.ParseConfig(db.URL.Reveal())
	if err != nil {
		// config.Load parsed the same string; this only fails if it was
		// skipped. The parser's message may hold the password.
		return nil, errors.New("DATABASE_URL is not a PostgreSQL connection URL")
	}
	pc.MaxConns = db.MaxConns
	pc.ConnConfig.RuntimeParams["statement_timeout"] = fmt.Sprint(db.StatementTimeout.Milliseconds())
	if pc.ConnConfig.RuntimeParams["application_name"] == "" {
		pc.ConnConfig.RuntimeParams["application_name"] = "goapi"
	}
	return pc, nil
}

// Store is an items.Store in PostgreSQL.
type Store struct {
	pool    *pgxpool.Pool
	timeout time.Duration
}

// NewStore returns a Store on pool whose every call gives up after timeout,
// counting the wait for a connection.
func NewStore(pool *pgxpool.Pool, timeout time.Duration) *Store {
	return &Store{pool: pool, timeout: timeout}
}

const columns = "id, name, description, created_at, updated_at"

func scanItem(row pgx.Row, extra ...any) (items.Item, error) {
	var it items.Item
	err := row.Scan(append([]any{&it.ID, &it.Name, &it.Description, &it.CreatedAt, &it.UpdatedAt}, extra...)...)
	it.CreatedAt, it.UpdatedAt = it.CreatedAt.UTC(), it.UpdatedAt.UTC()
	return it, err
}

// List pages by seq, the creation order: a cursor holds the seq of the last
// item of its page, so deletes between pages skip nothing.
func (s *Store) List(ctx context.Context, cursor string, limit int) (items.Page, error) {
	after, err := items.DecodeCursor(cursor)
	if err != nil {
		return items.Page{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	// One more than asked tells whether a next page exists.
	rows, err := s.pool.Query(ctx, "SELECT "+columns+", seq FROM items WHERE seq > $1 ORDER BY seq LIMIT $2", after, limit+1)
	if err != nil {
		return items.Page{}, classify(err)
	}
	page := items.Page{Items: make([]items.Item, 0, limit)}
	var seq, last int64
	for rows.Next() {
		it, err := scanItem(rows, &seq)
		if err != nil {
			rows.Close()
			return items.Page{}, classify(err)
		}
		if len(page.Items) == limit { // the extra row: it starts the next page
			page.Next = items.EncodeCursor(last)
			continue
		}
		page.Items = append(page.Items, it)
		last = seq
	}
	if err := rows.Err(); err != nil {
		return items.Page{}, classify(err)
	}
	return page, nil
}

// Get returns the item with id.
func (s *Store) Get(ctx context.Context, id string) (items.Item, error) {
	if !items.ValidID(id) {
		return items.Item{}, items.ErrNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	it, err := scanItem(s.pool.QueryRow(ctx, "SELECT "+columns+" FROM items WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return items.Item{}, items.ErrNotFound
	}
	return it, classify(err)
}

// Create validates f and stores it under a new id; the database's clock
// stamps it, the one clock every pod shares.
func (s *Store) Create(ctx context.Context, f items.Fields) (items.Item, error) {
	if err := f.Validate(); err != nil {
		return items.Item{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	it, err := scanItem(s.pool.QueryRow(ctx,
		"INSERT INTO items (id, name, description) VALUES ($1, $2, $3) RETURNING "+columns,
		items.NewID(), f.Name, f.Description))
	return it, classify(err)
}

// Update locks the row, applies change and writes the result only if it
// differs, so concurrent updates of one item never lose each other's fields
// and a change that changes nothing keeps UpdatedAt.
func (s *Store) Update(ctx context.Context, id string, change func(*items.Fields)) (items.Item, error) {
	if !items.ValidID(id) {
		return items.Item{}, items.ErrNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var it items.Item
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		it, err = scanItem(tx.QueryRow(ctx, "SELECT "+columns+" FROM items WHERE id = $1 FOR UPDATE", id))
		if err != nil {
			return err
		}
		f, changed, err := it.Change(change)
		if err != nil || !changed {
			return err
		}
		it, err = scanItem(tx.QueryRow(ctx,
			"UPDATE items SET name = $2, description = $3, updated_at = now() WHERE id = $1 RETURNING "+columns,
			id, f.Name, f.Description))
		return err
	})
	var ve *items.ValidationError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return items.Item{}, items.ErrNotFound
	case errors.As(err, &ve):
		return items.Item{}, err
	case err != nil:
		return items.Item{}, classify(err)
	}
	return it, nil
}

// Delete removes id.
func (s *Store) Delete(ctx context.Context, id string) error {
	if !items.ValidID(id) {
		return items.ErrNotFound
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	tag, err := s.pool.Exec(ctx, "DELETE FROM items WHERE id = $1", id)
	if err != nil {
		return classify(err)
	}
	if tag.RowsAffected() == 0 {
		return items.ErrNotFound
	}
	return nil
}

// classify marks failures that pass by themselves (the database is down,
// restarting, overloaded or slow) as items.ErrUnavailable, which the API
// answers with 503 and Retry-After. Anything else (a bug) stays a plain error
// and a 500.
func classify(err error) error {
	if err == nil || !unavailable(err) {
		return err
	}
	return fmt.Errorf("%w: %w", items.ErrUnavailable, err)
}

func unavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code[:2] {
		case "08", // connection exception
			"53", // insufficient resources: too many connections, out of memory or disk
			"57": // operator intervention: shutdown, restart, statement_timeout (57014)
			return true
		}
		return pgErr.Code == "40001" || pgErr.Code == "40P01" // serialization failure, deadlock
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		pgconn.Timeout(err) || pgconn.SafeToRetry(err) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, pgconn.ErrConnClosed)
}
