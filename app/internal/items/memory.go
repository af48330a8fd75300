package items

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strconv"
	"sync"
	"time"
)

// MemoryStore is a Store in process memory, safe for concurrent use.
type MemoryStore struct {
	mu    sync.RWMutex
	byID  map[string]entry
	order []uint64          // sequence numbers in creation order
	bySeq map[uint64]string // sequence number -> id
	seq   uint64
}

type entry struct {
	item Item
	seq  uint64
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{byID: map[string]entry{}, bySeq: map[uint64]string{}}
}

// List pages by creation sequence: a cursor is the sequence number of the
// last item a page returned, so deletes between pages skip nothing.
func (s *MemoryStore) List(_ context.Context, cursor string, limit int) (Page, error) {
	after, err := decodeCursor(cursor)
	if err != nil {
		return Page{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	start, found := slices.BinarySearch(s.order, after)
	if found {
		start++
	}
	end := min(start+limit, len(s.order))
	page := Page{Items: make([]Item, 0, end-start)}
	for _, seq := range s.order[start:end] {
		page.Items = append(page.Items, s.byID[s.bySeq[seq]].item)
	}
	if end < len(s.order) && end > start {
		page.Next = encodeCursor(s.order[end-1])
	}
	return page, nil
}

// Get returns the item with id.
func (s *MemoryStore) Get(_ context.Context, id string) (Item, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.byID[id]
	if !ok {
		return Item{}, ErrNotFound
	}
	return e.item, nil
}

// Create validates f and stores it under a new id.
func (s *MemoryStore) Create(_ context.Context, f Fields) (Item, error) {
	if err := f.Validate(); err != nil {
		return Item{}, err
	}
	id := newID()
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now().UTC()
	s.seq++
	it := Item{ID: id, Name: f.Name, Description: f.Description, CreatedAt: now, UpdatedAt: now}
	s.byID[id] = entry{item: it, seq: s.seq}
	s.bySeq[s.seq] = id
	s.order = append(s.order, s.seq)
	return it, nil
}

// Update applies change under the write lock so concurrent updates of one
// item never lose each other's fields.
func (s *MemoryStore) Update(_ context.Context, id string, change func(*Fields)) (Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	if !ok {
		return Item{}, ErrNotFound
	}
	f := Fields{Name: e.item.Name, Description: e.item.Description}
	change(&f)
	if err := f.Validate(); err != nil {
		return Item{}, err
	}
	e.item.Name, e.item.Description = f.Name, f.Description
	e.item.UpdatedAt = time.Now().UTC()
	s.byID[id] = e
	return e.item, nil
}

// Delete removes id.
func (s *MemoryStore) Delete(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.byID[id]
	if !ok {
		return ErrNotFound
	}
	delete(s.byID, id)
	delete(s.bySeq, e.seq)
	if i, found := slices.BinarySearch(s.order, e.seq); found {
		s.order = slices.Delete(s.order, i, i+1)
	}
	return nil
}

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return hex.EncodeToString(b[:])
}

func encodeCursor(seq uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatUint(seq, 10)))
}

func decodeCursor(c string) (uint64, error) {
	if c == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, ErrBadCursor
	}
	seq, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil {
		return 0, ErrBadCursor
	}
	return seq, nil
}
