package itemstest

import (
	"testing"

	"goapi/internal/items"
)

func TestMemoryStore(t *testing.T) {
	TestStore(t, func(*testing.T) items.Store { return NewStore() })
}
