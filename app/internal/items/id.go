package items

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"strconv"
)

// idLength is the length of every id: 12 random bytes in hex.
const idLength = 24

// NewID returns a random id.
func NewID() string {
	var b [idLength / 2]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms.
	return hex.EncodeToString(b[:])
}

// ValidID reports whether id has the shape NewID gives. Stores answer
// ErrNotFound for any other id without looking it up.
func ValidID(id string) bool {
	if len(id) != idLength {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

// EncodeCursor turns the creation sequence number of the last item of a page
// into an opaque cursor. Every store pages by such a number, so cursors keep
// their meaning whichever store answers.
func EncodeCursor(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(seq, 10)))
}

// DecodeCursor reverses EncodeCursor; "" is the start (0).
func DecodeCursor(c string) (int64, error) {
	if c == "" {
		return 0, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil {
		return 0, ErrBadCursor
	}
	seq, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil || seq < 0 {
		return 0, ErrBadCursor
	}
	return seq, nil
}
