package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
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
)

// decodeItemInput reads exactly one JSON object from body whose members are
// "name" and "description", each a string and each at most once. It walks
// the tokens rather than using json.Unmarshal, which matches member names
// case-insensitively ("Name" would set name) and lets a repeated member
// silently win.
func decodeItemInput(body io.Reader) (itemInput, *bodyProblem) {
	dec := json.NewDecoder(body)
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
	switch {
	case errors.As(err, &tooLarge):
		return tooLargeProblem(tooLarge.Limit)
	case errors.Is(err, io.EOF):
		return &bodyProblem{http.StatusBadRequest, "malformed_json", "the body is empty"}
	}
	// A syntax error, a truncated body or a read error: the decoder's text
	// may quote the body, so it is not passed on.
	return &bodyProblem{http.StatusBadRequest, "malformed_json", "the body is not valid JSON"}
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
