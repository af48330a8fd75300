// Package items holds the item resource: its fields, their rules and the
// store behind the HTTP layer.
package items

import (
	"fmt"
	"time"
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

// ValidationError says which field is wrong and why.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string { return e.Field + ": " + e.Reason }

// Validate checks the rules every stored item obeys.
func (f Fields) Validate() error {
	switch n := utf8.RuneCountInString(f.Name); {
	case n == 0:
		return &ValidationError{"name", "is required"}
	case n > MaxNameLength:
		return &ValidationError{"name", fmt.Sprintf("must be at most %d characters", MaxNameLength)}
	}
	if !utf8.ValidString(f.Name) || !utf8.ValidString(f.Description) {
		return &ValidationError{"name", "must be valid UTF-8"}
	}
	if utf8.RuneCountInString(f.Description) > MaxDescriptionLength {
		return &ValidationError{"description", fmt.Sprintf("must be at most %d characters", MaxDescriptionLength)}
	}
	return nil
}
