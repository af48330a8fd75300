package api

import (
	"time"

	"goapi/internal/items"
)

// itemJSON is an item as the API sends it, byte for byte what encoding/json
// makes of items.Item. The timestamps are formatted here instead of by
// time.Time's MarshalJSON because encoding/json re-scans and compacts the
// output of every Marshaler: that was about a tenth of a GET's cost in the
// handler benchmark.
type itemJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	CreatedAt   string `json:"createdAt"`
	UpdatedAt   string `json:"updatedAt"`
}

func wireItem(it items.Item) itemJSON {
	return itemJSON{
		ID: it.ID, Name: it.Name, Description: it.Description,
		CreatedAt: it.CreatedAt.Format(time.RFC3339Nano),
		UpdatedAt: it.UpdatedAt.Format(time.RFC3339Nano),
	}
}

func wireItems(its []items.Item) []itemJSON {
	if its == nil {
		return nil
	}
	out := make([]itemJSON, len(its))
	for i, it := range its {
		out[i] = wireItem(it)
	}
	return out
}
