package itemstest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"goapi/internal/items"
)

// TestStore checks the behaviour every items.Store must show. open returns
// an empty store for each subtest.
func TestStore(t *testing.T, open func(t *testing.T) items.Store) {
	t.Run("create get update delete", func(t *testing.T) { testLifecycle(t, open(t)) })
	t.Run("validation", func(t *testing.T) { testValidation(t, open(t)) })
	t.Run("unknown ids", func(t *testing.T) { testUnknownIDs(t, open(t)) })
	t.Run("unchanged update keeps updatedAt", func(t *testing.T) { testUnchangedUpdate(t, open(t)) })
	t.Run("pagination survives deletes", func(t *testing.T) { testPagination(t, open(t)) })
	t.Run("concurrent use", func(t *testing.T) { testConcurrentUse(t, open(t)) })
}

var ctx = context.Background()

func testLifecycle(t *testing.T, s items.Store) {
	it, err := s.Create(ctx, items.Fields{Name: "first", Description: "line one\nline two"})
	if err != nil || !items.ValidID(it.ID) || it.CreatedAt.IsZero() || it.UpdatedAt != it.CreatedAt {
		t.Fatalf("create: %+v %v", it, err)
	}
	if it.CreatedAt.Location() != time.UTC || it.CreatedAt.Nanosecond()%1000 != 0 {
		t.Fatalf("timestamps must be UTC with microsecond precision: %v", it.CreatedAt)
	}
	got, err := s.Get(ctx, it.ID)
	if err != nil || got != it {
		t.Fatalf("get:\n got %+v %v\nwant %+v", got, err, it)
	}
	up, err := s.Update(ctx, it.ID, func(f *items.Fields) { f.Name = "renamed" })
	if err != nil || up.Name != "renamed" || up.Description != it.Description || up.CreatedAt != it.CreatedAt {
		t.Fatalf("update: %+v %v", up, err)
	}
	if up.UpdatedAt.Before(it.UpdatedAt) {
		t.Fatalf("updatedAt went back: %v -> %v", it.UpdatedAt, up.UpdatedAt)
	}
	if got, _ := s.Get(ctx, it.ID); got != up {
		t.Fatalf("update not stored: %+v", got)
	}
	if _, err := s.Update(ctx, it.ID, func(f *items.Fields) { f.Name = "" }); !isValidation(err, "name") {
		t.Fatalf("update to an empty name: %v", err)
	}
	if got, _ := s.Get(ctx, it.ID); got != up {
		t.Fatalf("a refused update changed the item: %+v", got)
	}
	if err := s.Delete(ctx, it.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, it.ID); !errors.Is(err, items.ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
	if err := s.Delete(ctx, it.ID); !errors.Is(err, items.ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func testValidation(t *testing.T, s items.Store) {
	cases := map[string]struct {
		f     items.Fields
		field string
	}{
		"empty name":       {items.Fields{}, "name"},
		"long name":        {items.Fields{Name: strings.Repeat("é", items.MaxNameLength+1)}, "name"},
		"blank name":       {items.Fields{Name: "   "}, "name"},
		"NUL in name":      {items.Fields{Name: "a\x00b"}, "name"},
		"NUL in text":      {items.Fields{Name: "n", Description: "a\x00b"}, "description"},
		"long description": {items.Fields{Name: "n", Description: strings.Repeat("x", items.MaxDescriptionLength+1)}, "description"},
	}
	for name, tc := range cases {
		if _, err := s.Create(ctx, tc.f); !isValidation(err, tc.field) {
			t.Errorf("%s: got %v, want a validation error on %s", name, err, tc.field)
		}
	}
	if p, err := s.List(ctx, "", 10); err != nil || len(p.Items) != 0 {
		t.Fatalf("refused items were stored: %+v %v", p, err)
	}
	long := items.Fields{Name: strings.Repeat("é", items.MaxNameLength), Description: strings.Repeat("ü", items.MaxDescriptionLength)}
	if it, err := s.Create(ctx, long); err != nil || it.Name != long.Name {
		t.Errorf("the longest name and description must pass: %v", err)
	}
}

func testUnknownIDs(t *testing.T, s items.Store) {
	for _, id := range []string{items.NewID(), "nope", "", strings.Repeat("a", 100_000), "' OR 1=1 --"} {
		if _, err := s.Get(ctx, id); !errors.Is(err, items.ErrNotFound) {
			t.Errorf("get %.20q: %v", id, err)
		}
		if _, err := s.Update(ctx, id, func(f *items.Fields) { f.Name = "x" }); !errors.Is(err, items.ErrNotFound) {
			t.Errorf("update %.20q: %v", id, err)
		}
		if err := s.Delete(ctx, id); !errors.Is(err, items.ErrNotFound) {
			t.Errorf("delete %.20q: %v", id, err)
		}
	}
}

func testUnchangedUpdate(t *testing.T, s items.Store) {
	it, err := s.Create(ctx, items.Fields{Name: "same", Description: "d"})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Millisecond) // a bumped timestamp would differ
	for _, change := range []func(*items.Fields){
		func(*items.Fields) {},
		func(f *items.Fields) { *f = items.Fields{Name: "same", Description: "d"} },
	} {
		got, err := s.Update(ctx, it.ID, change)
		if err != nil || got != it {
			t.Fatalf("an update that changes nothing must keep the item as it was:\n got %+v %v\nwant %+v", got, err, it)
		}
	}
}

func testPagination(t *testing.T, s items.Store) {
	var ids []string
	for i := range 7 {
		it, err := s.Create(ctx, items.Fields{Name: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, it.ID)
	}
	p1, err := s.List(ctx, "", 3)
	if err != nil || len(p1.Items) != 3 || p1.Next == "" {
		t.Fatalf("page 1: %+v %v", p1, err)
	}
	// Deleting the last item of a page must not skip the next one.
	if err := s.Delete(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	p2, err := s.List(ctx, p1.Next, 3)
	if err != nil {
		t.Fatal(err)
	}
	p3, err := s.List(ctx, p2.Next, 3)
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, p := range []items.Page{p1, p2, p3} {
		for _, it := range p.Items {
			seen = append(seen, it.Name)
		}
	}
	if got := strings.Join(seen, ","); got != "0,1,2,3,4,5,6" {
		t.Fatalf("walked %s", got)
	}
	if p3.Next != "" {
		t.Fatalf("last page has a next cursor %q", p3.Next)
	}
	if all, err := s.List(ctx, "", 100); err != nil || len(all.Items) != 6 || all.Next != "" {
		t.Fatalf("one page of everything: %d items, next %q, %v", len(all.Items), all.Next, err)
	}
	for _, bad := range []string{"not-a-cursor!", "bm9wZQ", items.EncodeCursor(-1)} {
		if _, err := s.List(ctx, bad, 3); !errors.Is(err, items.ErrBadCursor) {
			t.Fatalf("cursor %q: %v", bad, err)
		}
	}
}

func testConcurrentUse(t *testing.T, s items.Store) {
	seed, err := s.Create(ctx, items.Fields{Name: "shared"})
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 4, 40 // workers*each stays within MaxDescriptionLength
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				it, err := s.Create(ctx, items.Fields{Name: fmt.Sprintf("w%d-%d", w, i)})
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := s.Update(ctx, seed.ID, func(f *items.Fields) { f.Description += "x" }); err != nil {
					t.Error(err)
					return
				}
				if _, err := s.List(ctx, "", 10); err != nil {
					t.Error(err)
					return
				}
				if i%2 == 0 {
					if err := s.Delete(ctx, it.ID); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	all, err := s.List(ctx, "", 100)
	if want := 1 + workers*each/2; err != nil || len(all.Items) != want {
		t.Fatalf("%d items left, want %d (%v)", len(all.Items), want, err)
	}
	got, _ := s.Get(ctx, seed.ID)
	if len(got.Description) != workers*each {
		t.Fatalf("lost updates: description has %d of %d marks", len(got.Description), workers*each)
	}
}

func isValidation(err error, field string) bool {
	var ve *items.ValidationError
	return errors.As(err, &ve) && ve.Field == field
}
