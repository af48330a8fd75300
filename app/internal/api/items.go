package api

import (
	"errors"
	"net/http"
	"strconv"

	"goapi/internal/httpjson"
	"goapi/internal/items"
)

// RetryAfterSeconds is the Retry-After of a 503 when the database is
// unavailable: about the readiness cache, after which a pod that still
// cannot reach the database has left the endpoints.
const RetryAfterSeconds = 2

// Page size bounds for listing.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

type listResponse struct {
	Items      []itemJSON `json:"items"`
	NextCursor string     `json:"nextCursor,omitempty"`
}

func (a *API) listItems(w http.ResponseWriter, r *http.Request) {
	limit := DefaultPageSize
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			httpjson.Error(w, http.StatusBadRequest, "invalid_limit", "limit must be a whole number from 1 to "+strconv.Itoa(MaxPageSize))
			return
		}
		limit = n
	}
	page, err := a.store.List(r.Context(), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		a.storeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, listResponse{Items: wireItems(page.Items), NextCursor: page.Next})
}

func (a *API) getItem(w http.ResponseWriter, r *http.Request) {
	it, err := a.store.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		a.storeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, wireItem(it))
}

func (a *API) createItem(w http.ResponseWriter, r *http.Request) {
	in, ok := a.readInput(w, r)
	if !ok {
		return
	}
	it, err := a.store.Create(r.Context(), items.Fields{Name: deref(in.Name), Description: deref(in.Description)})
	if err != nil {
		a.storeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/v1/items/"+it.ID)
	httpjson.Write(w, http.StatusCreated, wireItem(it))
}

// replaceItem (PUT) sets every field: one left out becomes empty.
func (a *API) replaceItem(w http.ResponseWriter, r *http.Request) {
	in, ok := a.readInput(w, r)
	if !ok {
		return
	}
	a.update(w, r, func(f *items.Fields) {
		*f = items.Fields{Name: deref(in.Name), Description: deref(in.Description)}
	})
}

// patchItem (PATCH) sets only the fields the body names.
func (a *API) patchItem(w http.ResponseWriter, r *http.Request) {
	in, ok := a.readInput(w, r)
	if !ok {
		return
	}
	a.update(w, r, func(f *items.Fields) {
		if in.Name != nil {
			f.Name = *in.Name
		}
		if in.Description != nil {
			f.Description = *in.Description
		}
	})
}

func (a *API) update(w http.ResponseWriter, r *http.Request, change func(*items.Fields)) {
	it, err := a.store.Update(r.Context(), r.PathValue("id"), change)
	if err != nil {
		a.storeError(w, r, err)
		return
	}
	httpjson.Write(w, http.StatusOK, wireItem(it))
}

func (a *API) deleteItem(w http.ResponseWriter, r *http.Request) {
	if err := a.store.Delete(r.Context(), r.PathValue("id")); err != nil {
		a.storeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) readInput(w http.ResponseWriter, r *http.Request) (itemInput, bool) {
	in, problem := readItemInput(w, r, a.maxBodyBytes)
	if problem != nil {
		httpjson.Error(w, problem.status, problem.code, problem.message)
		return itemInput{}, false
	}
	return in, true
}

func (a *API) storeError(w http.ResponseWriter, r *http.Request, err error) {
	var ve *items.ValidationError
	switch {
	case errors.As(err, &ve):
		httpjson.Error(w, http.StatusBadRequest, "invalid_field", ve.Error())
	case errors.Is(err, items.ErrNotFound):
		httpjson.Error(w, http.StatusNotFound, "not_found", "no item with that id")
	case errors.Is(err, items.ErrBadCursor):
		httpjson.Error(w, http.StatusBadRequest, "invalid_cursor", "cursor is not one this API returned")
	case errors.Is(err, items.ErrUnavailable):
		// A write may or may not have been applied; the client retries.
		a.log.WarnContext(r.Context(), "store unavailable", "error", err)
		w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds))
		httpjson.Error(w, http.StatusServiceUnavailable, "unavailable", "the database is unavailable; retry later")
	default:
		a.log.ErrorContext(r.Context(), "store failed", "error", err)
		httpjson.Error(w, http.StatusInternalServerError, "internal", "internal server error")
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
