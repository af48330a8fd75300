package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"unicode/utf16"
	"unicode/utf8"
)

// bodyProblem is why a request body was refused, as the client will see it.
type bodyProblem struct {
	status  int
	code    string
	message string
}

// itemInput is the write body. Pointers tell PATCH which fields were sent.
// The tags serve only encoding, in tests: decodeItemInput reads the body.
type itemInput struct {
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}

var (
	errNotObject = &bodyProblem{http.StatusBadRequest, "invalid_body", "the body must be a JSON object"}
	errUnknown   = &bodyProblem{http.StatusBadRequest, "invalid_body", "the body must be a JSON object with only the fields name and description"}
	errTrailing  = &bodyProblem{http.StatusBadRequest, "malformed_json", "the body must hold exactly one JSON object"}
	errEmpty     = &bodyProblem{http.StatusBadRequest, "malformed_json", "the body is empty"}
	errSyntax    = &bodyProblem{http.StatusBadRequest, "malformed_json", "the body is not valid JSON"}
	errNotUTF8   = &bodyProblem{http.StatusBadRequest, "malformed_json", "the body is not valid UTF-8"}
	errSurrogate = &bodyProblem{http.StatusBadRequest, "malformed_json", `the body has a \u escape for half of a surrogate pair, which is no character`}
)

// decodeItemInput reads exactly one JSON object from body whose members are
// "name" and "description", each a string and each at most once. It walks
// the tokens rather than using json.Unmarshal, which matches member names
// case-insensitively ("Name" would set name) and lets a repeated member
// silently win. The body is read whole first (it is limited): encoding/json
// turns invalid UTF-8 and lone surrogate escapes into U+FFFD without a word,
// and a body cut short ends in the same io.EOF as an empty one.
func decodeItemInput(body io.Reader) (itemInput, *bodyProblem) {
	data, err := io.ReadAll(body)
	switch {
	case err != nil:
		return itemInput{}, classify(err)
	case len(bytes.TrimSpace(data)) == 0:
		return itemInput{}, errEmpty
	case !utf8.Valid(data):
		return itemInput{}, errNotUTF8
	case hasLoneSurrogate(data):
		return itemInput{}, errSurrogate
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil {
		return itemInput{}, classify(err)
	} else if tok != json.Delim('{') {
		return itemInput{}, errNotObject
	}
	var in itemInput
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return itemInput{}, classify(err)
		}
		key, _ := tok.(string) // inside an object, Token returns member names as strings
		var field **string
		switch key {
		case "name":
			field = &in.Name
		case "description":
			field = &in.Description
		default:
			// The member name comes from the client, so it is not echoed.
			return itemInput{}, errUnknown
		}
		if *field != nil {
			return itemInput{}, &bodyProblem{http.StatusBadRequest, "invalid_body", fmt.Sprintf("field %q appears more than once", key)}
		}
		if tok, err = dec.Token(); err != nil {
			return itemInput{}, classify(err)
		}
		s, ok := tok.(string)
		if !ok {
			return itemInput{}, &bodyProblem{http.StatusBadRequest, "invalid_field", fmt.Sprintf("field %q must be a string", key)}
		}
		*field = &s
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return itemInput{}, classify(err)
	}
	// A second value, even whitespace-separated, means a malformed body.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return itemInput{}, classify(err)
		}
		return itemInput{}, errTrailing
	}
	return in, nil
}

func classify(err error) *bodyProblem {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return tooLargeProblem(tooLarge.Limit)
	}
	// A syntax error, a body cut short (io.EOF: the body is not empty, that
	// was checked first) or a read error: the decoder's text may quote the
	// body, so it is not passed on.
	return errSyntax
}

// hasLoneSurrogate reports whether a JSON string in data has a \u escape for
// half of a UTF-16 surrogate pair without the other half right after it.
// Escapes that are not well formed are left to the decoder to refuse.
func hasLoneSurrogate(data []byte) bool {
	escaped := func(i int) (rune, bool) { // the \uXXXX at data[i:], if there is one
		if i+6 > len(data) || data[i] != '\\' || data[i+1] != 'u' {
			return 0, false
		}
		var r rune
		for _, c := range data[i+2 : i+6] {
			switch {
			case '0' <= c && c <= '9':
				r = r<<4 | rune(c-'0')
			case 'a' <= c && c <= 'f':
				r = r<<4 | rune(c-'a'+10)
			case 'A' <= c && c <= 'F':
				r = r<<4 | rune(c-'A'+10)
			default:
				return 0, false
			}
		}
		return r, true
	}
	inString := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString:
			r, ok := escaped(i)
			if !ok || !utf16.IsSurrogate(r) {
				i++ // past the escaped character
				continue
			}
			low, ok := escaped(i + 6)
			if r >= 0xdc00 || !ok || utf16.DecodeRune(r, low) == utf8.RuneError {
				return true
			}
			i += 11 // past both escapes
		}
	}
	return false
}

func tooLargeProblem(limit int64) *bodyProblem {
	return &bodyProblem{http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body exceeds %d bytes", limit)}
}

// readItemInput checks the declared length and content type, limits the
// body and decodes it.
func readItemInput(w http.ResponseWriter, r *http.Request, maxBytes int64) (itemInput, *bodyProblem) {
	if r.ContentLength > maxBytes {
		// Refuse before reading: the client may be waiting for 100 Continue,
		// or sending slowly. The unread body makes the connection unusable.
		w.Header().Set("Connection", "close")
		return itemInput{}, tooLargeProblem(maxBytes)
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return itemInput{}, &bodyProblem{http.StatusUnsupportedMediaType, "unsupported_media_type", "the body must be application/json"}
	}
	return decodeItemInput(http.MaxBytesReader(w, r.Body, maxBytes))
}
