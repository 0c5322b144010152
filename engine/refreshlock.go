package engine

import (
	"context"
	"fmt"

	"acctui/engine/cache"
)

// AccountLocker is an optional part of a CacheStore whose cache is shared
// by several processes. LockAccount holds a lock for one account until
// unlock is called; the engine takes it around a silent refresh and looks
// at the cache again inside it, so processes that find the same token
// expiring send one refresh request instead of one each. A store that
// cannot lock in time returns an error and the engine refreshes anyway:
// the lock saves requests, it never decides correctness.
type AccountLocker interface {
	LockAccount(ctx context.Context, homeAccountID string) (unlock func(), err error)
}

// lockAccount takes the store's account lock when it has one. The returned
// unlock is never nil.
func (c *Client) lockAccount(ctx context.Context, homeAccountID string) func() {
	locker, ok := c.store.(AccountLocker)
	if !ok {
		return func() {}
	}
	unlock, err := locker.LockAccount(ctx, homeAccountID)
	if err != nil {
		c.log.Debug("engine: refresh without the account lock", "error", err)
		return func() {}
	}
	return unlock
}

// cachedSecret is the secret of the access token the cache holds for this
// call now, valid or not ("" when there is none).
func (c *Client) cachedSecret(ctx context.Context, a Authority, scopes []string, account Account) (string, error) {
	envs := c.environments(a)
	realm := c.realm(ctx, a)
	var secret string
	// the lookup is in one realm: the narrowed view holds what it finds
	err := c.store.Read(ctx, CacheHint{HomeAccountID: account.HomeAccountID, Realm: realm}, func(cc *cache.Cache) error {
		if at, ok := cc.FindAccessToken(cache.AccessTokenQuery{
			HomeAccountID: account.HomeAccountID, Environments: envs, ClientID: c.cfg.ClientID,
			Realm: realm, Scopes: scopes,
		}); ok {
			secret = at.Secret.Reveal()
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("engine: read cache: %w", err)
	}
	return secret, nil
}
