package cache

import "strings"

// IDTokenQuery selects ID tokens of one account. An empty ClientID or
// Realm matches any.
type IDTokenQuery struct {
	HomeAccountID string
	// Environments are the authority host and its aliases, in order of
	// preference; none means any.
	Environments []string
	ClientID     string
	Realm        string
}

// FindIDToken returns a matching ID token: from the first environment in
// q.Environments that has one, and among those the one with the smallest
// key, so the answer does not depend on map order.
func (c *Cache) FindIDToken(q IDTokenQuery) (IDToken, bool) {
	for b := range c.idx.buckets(q.HomeAccountID, q.Environments) {
		var bestKey string
		var best *IDToken
		for key := range b.idTokens.keys(strings.ToLower(q.ClientID), q.ClientID == "") {
			it := c.idTokens.entries[key]
			if q.Realm != "" && !strings.EqualFold(it.Realm, q.Realm) {
				continue
			}
			if best == nil || key < bestKey {
				bestKey, best = key, it
			}
		}
		if best != nil {
			return best.value(), true
		}
	}
	return IDToken{}, false
}

// SaveIDToken stores a copy of it under its canonical key.
func (c *Cache) SaveIDToken(it IDToken) error {
	return save(c, &c.idTokens, &it, "id token")
}

// RemoveIDToken deletes the entry stored under it.Key() and reports whether
// there was one.
func (c *Cache) RemoveIDToken(it IDToken) bool {
	return remove(c, &c.idTokens, it.Key())
}

// FindIDTokens returns every matching ID token, environment by
// environment (in q.Environments' order, else sorted), each environment's
// by key: FindIDToken's answer is the first.
func (c *Cache) FindIDTokens(q IDTokenQuery) []IDToken {
	var out []IDToken
	for b := range c.idx.buckets(q.HomeAccountID, q.Environments) {
		var found []keyed[IDToken]
		for key := range b.idTokens.keys(strings.ToLower(q.ClientID), q.ClientID == "") {
			if it := c.idTokens.entries[key]; q.Realm == "" || strings.EqualFold(it.Realm, q.Realm) {
				found = append(found, keyed[IDToken]{key, it})
			}
		}
		sortKeyed(found, func(*IDToken) int64 { return 0 })
		out = append(out, values(found)...)
	}
	return out
}
