package cache

import (
	"fmt"
	"strings"
)

// RefreshTokenQuery selects refresh tokens of one account. A token matches
// when its client_id equals ClientID or its family_id equals FamilyID;
// set one of them to search an app's own or its family's tokens (MSAL
// tries the family first when AppMetadata says the app is in one), or both
// for the union. With neither set every token of the account matches.
type RefreshTokenQuery struct {
	HomeAccountID string
	// Environments are the authority host and its aliases; none means any.
	Environments []string
	ClientID     string
	FamilyID     string
}

// FindRefreshTokens returns the matching refresh tokens, most recently
// modified first (ties broken by key), the order MSAL Python tries them in.
func (c *Cache) FindRefreshTokens(q RefreshTokenQuery) []RefreshToken {
	var found []keyed[RefreshToken]
	add := func(key string) {
		found = append(found, keyed[RefreshToken]{key, c.refreshTokens.entries[key]})
	}
	all := q.ClientID == "" && q.FamilyID == ""
	for b := range c.idx.buckets(q.HomeAccountID, q.Environments) {
		if q.ClientID != "" || all {
			for key := range b.refreshByClient.keys(strings.ToLower(q.ClientID), all) {
				add(key)
			}
		}
		if q.FamilyID != "" {
			for key := range b.refreshByFamily.keys(q.FamilyID, false) {
				// Already added through its client_id.
				if q.ClientID != "" && strings.EqualFold(c.refreshTokens.entries[key].ClientID, q.ClientID) {
					continue
				}
				add(key)
			}
		}
	}
	sortKeyed(found, func(rt *RefreshToken) int64 { return rt.LastModificationTime })
	return values(found)
}

// SaveRefreshToken stores a copy of rt under its canonical key, with its
// target normalised and LastModificationTime set to now (epoch seconds).
func (c *Cache) SaveRefreshToken(rt RefreshToken, now int64) error {
	rt.Target = NormalizeTarget(rt.Target)
	rt.LastModificationTime = now
	return save(c, &c.refreshTokens, &rt, "refresh token")
}

// UpdateRefreshTokenSecret replaces the secret of the stored entry rt
// names (by rt.Key()) and sets its LastModificationTime to now, as MSAL
// Python's update_rt does after a refresh rotated the token. The entry
// keeps its key, so it stays where MSAL Python will look for it.
func (c *Cache) UpdateRefreshTokenSecret(rt RefreshToken, secret Secret, now int64) error {
	stored, ok := c.refreshTokens.entries[rt.Key()]
	if !ok {
		return fmt.Errorf("cache: update refresh token: %w", ErrNotFound)
	}
	stored.Secret = secret
	stored.LastModificationTime = now
	c.changed = true
	return nil
}

// RemoveRefreshToken deletes the entry stored under rt.Key() and reports
// whether there was one.
func (c *Cache) RemoveRefreshToken(rt RefreshToken) bool {
	return remove(c, &c.refreshTokens, rt.Key())
}
