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
type itemInput struct {
	Name        *string `json:"name"`
	Description *string `json:"description"`
}

// decodeItemInput reads exactly one JSON object with known fields from body.
func decodeItemInput(body io.Reader) (itemInput, *bodyProblem) {
	var in itemInput
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return itemInput{}, classify(err)
	}
	// A second value, even whitespace-separated, means a malformed body.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return itemInput{}, classify(err)
		}
		return itemInput{}, &bodyProblem{http.StatusBadRequest, "malformed_json", "the body must hold exactly one JSON object"}
	}
	return in, nil
}

func classify(err error) *bodyProblem {
	var tooLarge *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return &bodyProblem{http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the body exceeds %d bytes", tooLarge.Limit)}
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return &bodyProblem{http.StatusBadRequest, "malformed_json", "the body is not valid JSON"}
	case errors.As(err, &typ):
		return &bodyProblem{http.StatusBadRequest, "invalid_field", fmt.Sprintf("field %q must be a %s", typ.Field, typ.Type)}
	case errors.Is(err, io.EOF):
		return &bodyProblem{http.StatusBadRequest, "malformed_json", "the body is empty"}
	}
	// encoding/json reports unknown fields only as text; the field name comes
	// from the client, so it is not echoed.
	return &bodyProblem{http.StatusBadRequest, "invalid_body", "the body must be a JSON object with only the fields name and description"}
}

// readItemInput checks the content type, limits the body and decodes it.
func readItemInput(w http.ResponseWriter, r *http.Request, maxBytes int64) (itemInput, *bodyProblem) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return itemInput{}, &bodyProblem{http.StatusUnsupportedMediaType, "unsupported_media_type", "the body must be application/json"}
	}
	return decodeItemInput(http.MaxBytesReader(w, r.Body, maxBytes))
}
