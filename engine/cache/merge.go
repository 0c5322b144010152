package cache

import "bytes"

// Merge imports every entry of other into c. It never drops an entry of c:
// an entry under a key only c has stays, and for a key both have the newer
// entry wins (cached_at for access tokens, last_modification_time for
// refresh tokens, expires_on for metadata), other's on a tie, because an
// import is the fresher source. Entries other kept unindexed are added
// unless c already has something under that key. Unknown sections of other
// are added when c lacks them. other is not modified.
func (c *Cache) Merge(other *Cache) {
	mergeTable(c, &c.accessTokens, &other.accessTokens)
	mergeTable(c, &c.refreshTokens, &other.refreshTokens)
	mergeTable(c, &c.idTokens, &other.idTokens)
	mergeTable(c, &c.accounts, &other.accounts)
	mergeTable(c, &c.appMetadata, &other.appMetadata)
	for key, m := range other.metadata {
		if old, ok := c.metadata[key]; ok && neverZero(old.expiresOn) > neverZero(m.expiresOn) {
			continue
		}
		c.metadata[key] = m.clone()
		c.changed = true
	}
	for name, raw := range other.sections {
		if _, ok := c.sections[name]; !ok {
			c.sections[name] = bytes.Clone(raw)
			c.changed = true
		}
	}
}

func mergeTable[E any, P entryPtr[E]](c *Cache, dst, src *table[E]) {
	for key, e := range src.entries {
		if old, ok := dst.entries[key]; ok && P(old).stamp() > P(e).stamp() {
			continue
		}
		put(c, dst, key, P(P(e).clone()))
		c.changed = true
	}
	for key, e := range src.orphans {
		if _, ok := dst.entries[key]; ok {
			continue
		}
		if _, ok := dst.orphans[key]; ok {
			continue
		}
		dst.orphans[key] = P(e).clone()
		c.changed = true
	}
}

// neverZero maps "no expiry" (0) above every real expiry.
func neverZero(expiresOn int64) int64 {
	if expiresOn == 0 {
		return 1<<63 - 1
	}
	return expiresOn
}
