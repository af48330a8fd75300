// Package items holds the item resource: its fields, their rules and the
// store behind the HTTP layer.
package items

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Field limits, counted in characters rather than bytes.
const (
	MaxNameLength        = 100
	MaxDescriptionLength = 1000
)

// Item is one stored resource. ID, CreatedAt and UpdatedAt belong to the server.
type Item struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// Fields are what a client may write.
type Fields struct {
	Name        string
	Description string
}

// Change applies change to the fields of it, as Store.Update does: changed
// is false when they stay as they were (nothing is to be stored, UpdatedAt
// kept), and err is set when the changed fields do not validate.
func (it Item) Change(change func(*Fields)) (f Fields, changed bool, err error) {
	old := Fields{Name: it.Name, Description: it.Description}
	f = old
	change(&f)
	if f == old {
		return f, false, nil
	}
	if err := f.Validate(); err != nil {
		return Fields{}, false, err
	}
	return f, true, nil
}

// ValidationError says which field is wrong and why.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

// Validate checks the rules every stored item obeys. A name is one line of
// visible text; a description may span lines but holds no other control
// characters (PostgreSQL refuses NUL in text, and the rest only hides text).
func (f Fields) Validate() error {
	if err := checkText("name", f.Name, MaxNameLength, false); err != nil {
		return err
	}
	if strings.TrimSpace(f.Name) != f.Name {
		return &ValidationError{"name", "must not start or end with white space"}
	}
	return checkText("description", f.Description, MaxDescriptionLength, true)
}

// visible is false for the characters that show nothing by themselves: white
// space, format characters (zero-width space and joiners, the byte order
// mark, soft hyphen, tags), variation selectors, and the other code points
// Unicode says to render as nothing (Hangul fillers, U+180E...). A name made
// only of them looks blank, and two such names look alike.
func visible(r rune) bool {
	return !unicode.IsSpace(r) && !unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

func checkText(field, s string, max int, multiline bool) error {
	if !utf8.ValidString(s) {
		return &ValidationError{field, "must be valid UTF-8"}
	}
	n := utf8.RuneCountInString(s)
	switch {
	case !multiline && strings.IndexFunc(s, visible) < 0:
		return &ValidationError{field, "is required and must not be blank"}
	case n > max:
		return &ValidationError{field, fmt.Sprintf("must be at most %d characters", max)}
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t' || r == '\r') {
			continue
		}
		if unicode.IsControl(r) {
			return &ValidationError{field, fmt.Sprintf("must not contain control characters (found U+%04X)", r)}
		}
	}
	return nil
}
