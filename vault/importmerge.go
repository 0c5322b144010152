package vault

import (
	"fmt"

	"acctui/engine/cache"
)

// canonicalFragment is the record id's fragment of c, as a write would
// store it; nil when c holds nothing for it.
func canonicalFragment(c *cache.Cache, id string) ([]byte, error) {
	doc, err := c.Marshal()
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	frags, err := splitCache(doc)
	if err != nil {
		return nil, err
	}
	if len(frags) > 1 {
		return nil, fmt.Errorf("vault: import: a part of the file split again") // a bug
	}
	return frags[id], nil
}

// mergeFragment unites a record's stored credentials with imported ones
// by cache.Merge and returns the record's canonical fragment.
func mergeFragment(old creds, id string, imported creds) ([]byte, error) {
	stored, err := old.parse()
	if err != nil {
		return nil, fmt.Errorf("vault: import: %w", err)
	}
	in, err := imported.parse()
	if err != nil {
		return nil, fmt.Errorf("vault: import: %w", err)
	}
	merged := cache.New()
	merged.Merge(stored)
	merged.Merge(in)
	return canonicalFragment(merged, id)
}

// countAccountCreds counts a record's Account entries.
func countAccountCreds(cs creds) int {
	n := 0
	for _, c := range cs {
		if !c.whole && c.section == cache.SectionAccount {
			n++
		}
	}
	return n
}
