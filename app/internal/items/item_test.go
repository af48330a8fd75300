package items

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	bad := map[string]struct {
		f              Fields
		field, because string
	}{
		"empty name":            {Fields{}, "name", "required"},
		"blank name":            {Fields{Name: " \t "}, "name", "blank"},
		"leading space":         {Fields{Name: " widget"}, "name", "white space"},
		"trailing space":        {Fields{Name: "widget "}, "name", "white space"},
		"newline inside a name": {Fields{Name: "wid\nget"}, "name", "control characters (found U+000A)"},
		"escape in a name":      {Fields{Name: "a\x1b[31mred"}, "name", "U+001B"},
		"C1 control":            {Fields{Name: "a\u0085b"}, "name", "U+0085"},
		"name too long":         {Fields{Name: strings.Repeat("é", MaxNameLength+1)}, "name", "at most 100"},
		"invalid UTF-8 name":    {Fields{Name: "\xff"}, "name", "UTF-8"},
		"invalid UTF-8 text":    {Fields{Name: "n", Description: "\xff"}, "description", "UTF-8"},
		"NUL in text":           {Fields{Name: "n", Description: "a\x00"}, "description", "U+0000"},
		"bell in text":          {Fields{Name: "n", Description: "\a"}, "description", "U+0007"},
		"text too long":         {Fields{Name: "n", Description: strings.Repeat("x", MaxDescriptionLength+1)}, "description", "at most 1000"},
	}
	for name, tc := range bad {
		err := tc.f.Validate()
		var ve *ValidationError
		if !errors.As(err, &ve) || ve.Field != tc.field || !strings.Contains(ve.Reason, tc.because) {
			t.Errorf("%s: got %v, want %s: ...%s...", name, err, tc.field, tc.because)
		}
	}
	for name, f := range map[string]Fields{
		"plain":                 {Name: "widget"},
		"inner spaces":          {Name: "blue widget", Description: "  indented"},
		"lines and tabs":        {Name: "n", Description: "one\r\ntwo\tthree\n"},
		"longest, in runes":     {Name: strings.Repeat("é", MaxNameLength), Description: strings.Repeat("ü", MaxDescriptionLength)},
		"empty description":     {Name: "n"},
		"non-Latin, emoji, RTL": {Name: "名前 🚀 שלום"},
	} {
		if err := f.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestIDsAndCursors(t *testing.T) {
	id := NewID()
	if !ValidID(id) || id == NewID() {
		t.Fatalf("NewID %q", id)
	}
	for _, bad := range []string{"", "nope", strings.ToUpper(id) + "0", id[:23] + "g"} {
		if ValidID(bad) {
			t.Errorf("ValidID(%q)", bad)
		}
	}
	for _, seq := range []int64{0, 1, 1 << 62} {
		if got, err := DecodeCursor(EncodeCursor(seq)); err != nil || got != seq {
			t.Errorf("cursor %d round trip: %d %v", seq, got, err)
		}
	}
	for _, bad := range []string{"!!", "bm9wZQ", EncodeCursor(-5)} {
		if _, err := DecodeCursor(bad); !errors.Is(err, ErrBadCursor) {
			t.Errorf("cursor %q: %v", bad, err)
		}
	}
}

// A name only of characters that show nothing (zero-width, joiners, format
// characters, fillers) reads as blank and is refused as blank; such
// characters inside a name with visible text stay allowed (emoji sequences
// join with U+200D and end with U+FE0F).
func TestNameNeedsVisibleText(t *testing.T) {
	for _, name := range []string{"\u200b", "\u200b\u200c\u200d", "\u2060", "\ufeff", "\u00ad", "\u3164", "\u115f\u1160", "\ufe0f", "\u180e", "\u200b \u200b", "\U000e0020"} {
		var ve *ValidationError
		if err := (Fields{Name: name}).Validate(); !errors.As(err, &ve) || ve.Field != "name" || !strings.Contains(ve.Reason, "blank") {
			t.Errorf("%+q: got %v, want a blank name refused", name, err)
		}
	}
	for _, name := range []string{"a\u200bb", "👩\u200d💻", "I \u2764\ufe0f Go", "\u0301", "x"} {
		if err := (Fields{Name: name}).Validate(); err != nil {
			t.Errorf("%+q: %v", name, err)
		}
	}
}
