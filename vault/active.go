package vault

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"acctui/engine/cache"
)

// activeKey is the metadata key of the active account. It lives in the
// shared record's "AcctuiMetadata" section, sealed like everything else,
// so it can never disagree with the vault the way a side file could.
const activeKey = "acctui.active_account"

// ErrUnknownAccount means SetActiveAccount was given a home account id the
// vault has no Account entry for.
var ErrUnknownAccount = errors.New("vault: no such account in the vault")

// activeValue is the JSON stored under activeKey.
type activeValue struct {
	HomeAccountID string `json:"home_account_id"`
}

// ActiveAccount returns the home account id of the active account, or ""
// when none is set or the account it named is no longer in the vault. It
// decrypts the shared record and the account's own record, never the
// directory of all accounts.
func (v *Vault) ActiveAccount(ctx context.Context) (homeAccountID string, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	shared := sharedID
	c, err := v.readCache(ctx, &shared)
	if err != nil {
		return "", err
	}
	id := activeOf(c)
	if id == "" {
		return "", nil
	}
	// An older acctui may have removed the account without clearing the
	// mark: the account's own record decides.
	only := recordID(id)
	acct, err := v.readCache(ctx, &only)
	if err != nil {
		return "", err
	}
	if !hasAccount(acct, id) {
		return "", nil
	}
	return id, nil
}

// SetActiveAccount makes the account with homeAccountID (matched ignoring
// case) the active one; "" clears it. An id the vault has no Account entry
// for is refused with ErrUnknownAccount. Logging the account out later
// clears the mark: see clearStaleActive.
func (v *Vault) SetActiveAccount(ctx context.Context, homeAccountID string) error {
	if homeAccountID == "" {
		return v.Write(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
			c.DeleteMetadata(activeKey)
			return nil
		})
	}
	return v.Write(ctx, cache.Hint{HomeAccountID: homeAccountID}, func(c *cache.Cache) error {
		found := c.FindAccounts(cache.AccountQuery{HomeAccountID: homeAccountID})
		if len(found) == 0 {
			return fmt.Errorf("%w: %q", ErrUnknownAccount, homeAccountID)
		}
		canonical := found[0].HomeAccountID
		if activeOf(c) == canonical {
			return nil
		}
		raw, err := json.Marshal(activeValue{HomeAccountID: canonical})
		if err != nil {
			return fmt.Errorf("vault: active account: %w", err)
		}
		return c.SetMetadata(activeKey, raw, 0)
	})
}

// activeOf reads the active account's home account id from a cache that
// holds the shared record.
func activeOf(c *cache.Cache) string {
	raw, ok := c.Metadata(activeKey, 0)
	if !ok {
		return ""
	}
	var val activeValue
	if json.Unmarshal(raw, &val) != nil {
		return ""
	}
	return val.HomeAccountID
}

// hasAccount reports whether c holds an Account entry of homeAccountID.
func hasAccount(c *cache.Cache, homeAccountID string) bool {
	return len(c.FindAccounts(cache.AccountQuery{HomeAccountID: homeAccountID})) > 0
}

// clearStaleActive drops the active-account mark when a write removed the
// last Account entry of the active account. only is the record the write
// was given (nil: all of them); a write given another account cannot have
// removed the active one's entries, as it never saw them.
func clearStaleActive(c *cache.Cache, only *string) {
	id := activeOf(c)
	if id == "" || only != nil && *only != recordID(id) {
		return
	}
	if !hasAccount(c, id) {
		c.DeleteMetadata(activeKey)
	}
}
