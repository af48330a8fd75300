package items

import (
	"context"
	"errors"
)

// ErrNotFound is returned for an id the store does not hold.
var ErrNotFound = errors.New("item not found")

// ErrBadCursor is returned for a cursor the store did not hand out.
var ErrBadCursor = errors.New("invalid cursor")

// ErrUnavailable wraps failures of the store's backend that may pass by
// themselves (the database is down, restarting or too slow). The HTTP layer
// answers them with 503 and Retry-After.
var ErrUnavailable = errors.New("store unavailable")

// Page is one slice of a listing. Next is empty on the last page.
type Page struct {
	Items []Item
	Next  string
}

// Store keeps items. The HTTP layer depends on this interface only.
type Store interface {
	// List returns up to limit items in creation order, starting after cursor
	// ("" for the first page).
	List(ctx context.Context, cursor string, limit int) (Page, error)
	Get(ctx context.Context, id string) (Item, error)
	Create(ctx context.Context, f Fields) (Item, error)
	// Update applies change to the stored fields of id and stores the result
	// if it validates. A change that leaves the fields as they were stores
	// nothing and keeps UpdatedAt.
	Update(ctx context.Context, id string, change func(*Fields)) (Item, error)
	Delete(ctx context.Context, id string) error
}
