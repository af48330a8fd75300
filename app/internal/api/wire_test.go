package api

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"goapi/internal/items"
)

// The wire form must be what encoding/json makes of items.Item, so that
// clients see the same bytes as before it existed.
func TestWireItemIsTheItemsOwnJSON(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	cases := []items.Item{
		{ID: "a", Name: "n", Description: "d",
			CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC),
			UpdatedAt: time.Date(2026, 1, 2, 3, 4, 5, 120000000, time.UTC)},
		{ID: "b", Name: "<tag> & \"quotes\" \u2028", Description: "été 🙂",
			CreatedAt: time.Date(2026, 12, 5, 17, 0, 0, 0, paris),
			UpdatedAt: time.Date(1999, 12, 31, 23, 59, 59, 1, paris)},
		{},
	}
	for _, it := range cases {
		want, err := json.Marshal(it)
		if err != nil {
			t.Fatal(err)
		}
		got, err := json.Marshal(wireItem(it))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("wire form\n%s\nwant\n%s", got, want)
		}
	}
}

func TestWireItemsKeepsAnEmptyListApartFromNone(t *testing.T) {
	for _, tc := range []struct {
		in   []items.Item
		want string
	}{{nil, "null"}, {[]items.Item{}, "[]"}} {
		got, err := json.Marshal(wireItems(tc.in))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("wireItems(%#v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
