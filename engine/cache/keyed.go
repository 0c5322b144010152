package cache

import (
	"cmp"
	"slices"
)

// keyed pairs an entry with its key so results can be ordered
// deterministically even when their timestamps tie.
type keyed[E any] struct {
	key   string
	entry *E
}

// sortKeyed orders by newest first (by the given timestamp), then by key.
func sortKeyed[E any](found []keyed[E], newness func(*E) int64) {
	slices.SortFunc(found, func(a, b keyed[E]) int {
		if c := cmp.Compare(newness(b.entry), newness(a.entry)); c != 0 {
			return c
		}
		return cmp.Compare(a.key, b.key)
	})
}

// values returns copies of the entries, so callers cannot reach the
// cache's own maps.
func values[E any, P entryPtr[E]](found []keyed[E]) []E {
	if len(found) == 0 {
		return nil
	}
	out := make([]E, len(found))
	for i, f := range found {
		out[i] = P(f.entry).value()
	}
	return out
}
