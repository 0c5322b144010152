package cache

import (
	"maps"
	"slices"
	"strings"
)

// FindAppMetadata returns the AppMetadata entry of clientID in the first of
// environments that has one (any environment when none are given).
func (c *Cache) FindAppMetadata(clientID string, environments []string) (AppMetadata, bool) {
	byEnv := c.idx.appMetadata[strings.ToLower(clientID)]
	if len(byEnv) == 0 {
		return AppMetadata{}, false
	}
	pick := func(keys keySet) (AppMetadata, bool) {
		if len(keys) == 0 {
			return AppMetadata{}, false
		}
		// Smallest key, so mixed-case duplicates resolve the same way every time.
		var best string
		for key := range keys {
			if best == "" || key < best {
				best = key
			}
		}
		return c.appMetadata.entries[best].value(), true
	}
	if len(environments) == 0 {
		for _, env := range slices.Sorted(maps.Keys(byEnv)) {
			if m, ok := pick(byEnv[env]); ok {
				return m, true
			}
		}
		return AppMetadata{}, false
	}
	for _, env := range environments {
		if m, ok := pick(byEnv[strings.ToLower(env)]); ok {
			return m, true
		}
	}
	return AppMetadata{}, false
}

// SaveAppMetadata stores a copy of m under its canonical key.
func (c *Cache) SaveAppMetadata(m AppMetadata) error {
	return save(c, &c.appMetadata, &m, "app metadata")
}

// RemoveAppMetadata deletes the entry stored under m.Key() and reports
// whether there was one.
func (c *Cache) RemoveAppMetadata(m AppMetadata) bool {
	return remove(c, &c.appMetadata, m.Key())
}
