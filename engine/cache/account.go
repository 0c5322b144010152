package cache

import (
	"maps"
	"slices"
	"strings"
)

// AccountQuery selects Account entries. HomeAccountID is required; empty
// Environments or Realm match any.
type AccountQuery struct {
	HomeAccountID string
	Environments  []string
	Realm         string
}

// Accounts returns every indexed account, ordered by key so a list in the
// UI does not reshuffle between calls.
func (c *Cache) Accounts() []Account {
	keys := slices.Sorted(maps.Keys(c.accounts.entries))
	out := make([]Account, len(keys))
	for i, key := range keys {
		out[i] = c.accounts.entries[key].value()
	}
	return out
}

// FindAccounts returns the accounts matching q, ordered by key. One home
// account has one entry per realm (tenant) it signed in to.
func (c *Cache) FindAccounts(q AccountQuery) []Account {
	var found []keyed[Account]
	for b := range c.idx.buckets(q.HomeAccountID, q.Environments) {
		for key := range b.accounts.keys(strings.ToLower(q.Realm), q.Realm == "") {
			found = append(found, keyed[Account]{key, c.accounts.entries[key]})
		}
	}
	sortKeyed(found, func(*Account) int64 { return 0 })
	return values(found)
}

// SaveAccount stores a copy of a under its canonical key.
func (c *Cache) SaveAccount(a Account) error {
	return save(c, &c.accounts, &a, "account")
}

// RemoveAccount deletes the Account entry stored under a.Key() only; use
// RemoveAccountData to sign an account out with its tokens.
func (c *Cache) RemoveAccount(a Account) bool {
	return remove(c, &c.accounts, a.Key())
}
