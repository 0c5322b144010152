package cache

import (
	"slices"
	"strings"
)

// RemoveAccountData signs an account out the way MSAL Python's
// remove_account does, and returns how many entries it deleted. For the
// home account in the given environments (all of them when none are
// given) it removes:
//   - refresh tokens issued to clientID, or to any member of familyID when
//     familyID is not empty (other apps' tokens stay, so they keep working);
//   - every access token and ID token, whatever the realm or client, since
//     without the refresh token they cannot be renewed anyway;
//   - every Account entry, whatever the realm.
func (c *Cache) RemoveAccountData(homeAccountID string, environments []string, clientID, familyID string) int {
	var rts, ats, its, accts []string
	for b := range c.idx.buckets(homeAccountID, environments) {
		rts = slices.AppendSeq(rts, b.refreshByClient.keys(strings.ToLower(clientID), false))
		if familyID != "" {
			rts = slices.AppendSeq(rts, b.refreshByFamily.keys(familyID, false))
		}
		ats = slices.AppendSeq(ats, b.accessTokens.keys("", true))
		its = slices.AppendSeq(its, b.idTokens.keys("", true))
		accts = slices.AppendSeq(accts, b.accounts.keys("", true))
	}
	// Keys are collected first because removing empties index groups the
	// loops above walk. A family token of clientID appears twice; remove
	// reports false the second time.
	removed := 0
	for _, key := range rts {
		if remove(c, &c.refreshTokens, key) {
			removed++
		}
	}
	for _, key := range ats {
		if remove(c, &c.accessTokens, key) {
			removed++
		}
	}
	for _, key := range its {
		if remove(c, &c.idTokens, key) {
			removed++
		}
	}
	for _, key := range accts {
		if remove(c, &c.accounts, key) {
			removed++
		}
	}
	return removed
}
