package items

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

var ctx = context.Background()

func TestCreateGetUpdateDelete(t *testing.T) {
	s := NewMemoryStore()
	it, err := s.Create(ctx, Fields{Name: "first", Description: "d"})
	if err != nil || it.ID == "" || it.CreatedAt.IsZero() {
		t.Fatalf("create: %+v %v", it, err)
	}
	got, err := s.Get(ctx, it.ID)
	if err != nil || got != it {
		t.Fatalf("get: %+v %v", got, err)
	}
	up, err := s.Update(ctx, it.ID, func(f *Fields) { f.Name = "renamed" })
	if err != nil || up.Name != "renamed" || up.Description != "d" {
		t.Fatalf("update: %+v %v", up, err)
	}
	if _, err := s.Update(ctx, it.ID, func(f *Fields) { f.Name = "" }); !isValidation(err, "name") {
		t.Fatalf("update to an empty name: %v", err)
	}
	if err := s.Delete(ctx, it.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, it.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
	if err := s.Delete(ctx, it.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
}

func TestValidation(t *testing.T) {
	cases := map[string]struct {
		f     Fields
		field string
	}{
		"empty name":       {Fields{}, "name"},
		"long name":        {Fields{Name: strings.Repeat("é", MaxNameLength+1)}, "name"},
		"long description": {Fields{Name: "n", Description: strings.Repeat("x", MaxDescriptionLength+1)}, "description"},
	}
	for name, tc := range cases {
		if _, err := NewMemoryStore().Create(ctx, tc.f); !isValidation(err, tc.field) {
			t.Errorf("%s: got %v, want a validation error on %s", name, err, tc.field)
		}
	}
	if err := (Fields{Name: strings.Repeat("é", MaxNameLength)}).Validate(); err != nil {
		t.Errorf("a name of exactly %d characters must pass: %v", MaxNameLength, err)
	}
}

func TestPaginationSurvivesDeletes(t *testing.T) {
	s := NewMemoryStore()
	var ids []string
	for i := range 7 {
		it, _ := s.Create(ctx, Fields{Name: fmt.Sprint(i)})
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
	p2, _ := s.List(ctx, p1.Next, 3)
	p3, _ := s.List(ctx, p2.Next, 3)
	var seen []string
	for _, p := range []Page{p1, p2, p3} {
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
	if _, err := s.List(ctx, "not-a-cursor!", 3); !errors.Is(err, ErrBadCursor) {
		t.Fatalf("bad cursor: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := NewMemoryStore()
	seed, _ := s.Create(ctx, Fields{Name: "shared"})
	const workers, each = 8, 100 // workers*each stays within MaxDescriptionLength
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				it, err := s.Create(ctx, Fields{Name: fmt.Sprintf("w%d-%d", w, i)})
				if err != nil {
					t.Error(err)
					return
				}
				_, _ = s.Update(ctx, seed.ID, func(f *Fields) { f.Description += "x" })
				_, _ = s.List(ctx, "", 10)
				if i%2 == 0 {
					_ = s.Delete(ctx, it.ID)
				}
			}
		})
	}
	wg.Wait()
	all, _ := s.List(ctx, "", workers*each)
	if want := 1 + workers*each/2; len(all.Items) != want {
		t.Fatalf("%d items left, want %d", len(all.Items), want)
	}
	got, _ := s.Get(ctx, seed.ID)
	if len(got.Description) != workers*each {
		t.Fatalf("lost updates: description has %d of %d marks", len(got.Description), workers*each)
	}
}

func isValidation(err error, field string) bool {
	var ve *ValidationError
	return errors.As(err, &ve) && ve.Field == field
}
