// Package itemstest holds what tests need around items.Store: an in-memory
// store and the behaviour every store must show. Nothing that ships imports
// it (a cmd/api test checks), so state never lives in the process.
package itemstest

import (
	"context"
	"slices"
	"sync"
	"time"

	"goapi/internal/items"
)

// MemoryStore is an items.Store in process memory, safe for concurrent use:
// a test double for the HTTP layer and the benchmark's baseline.
type MemoryStore struct {
	mu    sync.RWMutex
	byID  map[string]entry
	order []int64          // sequence numbers in creation order
	bySeq map[int64]string // sequence number -> id
	seq   int64
}

type entry struct {
	item items.Item
	seq  int64
}

// NewStore returns an empty MemoryStore.
func NewStore() *MemoryStore {
	return &MemoryStore{byID: map[string]entry{}, bySeq: map[int64]string{}}
}

// now has PostgreSQL's precision, so both stores answer the same timestamps.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// List pages by creation sequence: a cursor is the sequence number of the
// last item a page returned, so deletes between pages skip nothing.
func (s *MemoryStore) List(_ context.Context, cursor string, limit int) (items.Page, error) {
	after, err := items.DecodeCursor(cursor)
	if err != nil {
		return items.Page{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	start, found := slices.BinarySearch(s.order, after)
	if found {
		start++
	}
	end := min(start+limit, len(s.order))
	page := items.Page{Items: make([]items.Item, 0, end-start)}
	for _, seq := range s.order[start:end] {
		page.Items = append(page.Items, s.byID[s.bySeq[seq]].item)
	}
	if end < len(s.order) && end > start {
		page.Next = items.EncodeCursor(s.order[end-1])
	}
	return page, nil
}

// Get returns the item with id.
func (s *MemoryStore) Get(_ context.Context, id string) (items.Item, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.byID[id]
	if !ok {
		return items.Item{}, items.ErrNotFound
	}
	return e.item, nil
}

// Create validates f and stores it under a new id.
func (s *MemoryStore) Create(_ context.Context, f items.Fields) (items.Item, error) {
	if err := f.Validate(); err != nil {
		return items.Item{}, err
	}
	id := items.NewID()
	s.mu.Lock()
	defer s.mu.Unlock()
	t := now()
	s.seq++
	it := items.Item{ID: id, Name: f.Name, Description: f.Description, CreatedAt: t, UpdatedAt: t}
	s.byID[id] = entry{item: it, seq: s.seq}
	s.bySeq[s.seq] = id
	s.order = append(s.order, s.seq)
	return it, nil
}

// Update applies change under the write lock so concurrent updates of one
// item never lose each other's fields.
func (s *MemoryStore) Update(_ context.Context, id string, change func(*items.Fields)) (items.Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	if !ok {
		return items.Item{}, items.ErrNotFound
	}
	f, changed, err := e.item.Change(change)
	if err != nil {
		return items.Item{}, err
	}
	if !changed {
		return e.item, nil
	}
	e.item.Name, e.item.Description = f.Name, f.Description
	e.item.UpdatedAt = now()
	s.byID[id] = e
	return e.item, nil
}

// Delete removes id.
func (s *MemoryStore) Delete(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	if !ok {
		return items.ErrNotFound
	}
	delete(s.byID, id)
	delete(s.bySeq, e.seq)
	if i, found := slices.BinarySearch(s.order, e.seq); found {
		s.order = slices.Delete(s.order, i, i+1)
	}
	return nil
}
