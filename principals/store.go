package principals

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"acctui/engine"
	"acctui/engine/cache"
)

// Key is the vault metadata key of the service principals and managed
// identities acctui signed in. It lives in the shared record, which the
// vault seals like every other, beside the app tokens (whose
// home_account_id is empty, so they live there too): the credential never
// touches disk in the clear and has no side file to forget on logout.
const Key = "acctui.principals"

// ErrUnknown means a principal named is not in the vault's list.
var ErrUnknown = errors.New("no such service principal or managed identity in the vault")

// list is the JSON stored under Key.
type list struct {
	Principals []Principal `json:"principals"`
}

// Read reads the list from a cache holding the shared record.
func Read(c *cache.Cache) ([]Principal, error) {
	raw, ok := c.Metadata(Key, 0)
	if !ok {
		return nil, nil
	}
	var l list
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, fmt.Errorf("vault: the list of service principals is damaged: %w", err)
	}
	return l.Principals, nil
}

// Write stores the list; an empty one removes the key.
func Write(c *cache.Cache, ps []Principal) error {
	if len(ps) == 0 {
		c.DeleteMetadata(Key)
		return nil
	}
	raw, err := json.Marshal(list{Principals: ps})
	if err != nil {
		return fmt.Errorf("vault: service principals: %w", err)
	}
	return c.SetMetadata(Key, raw, 0)
}

// List lists the store's service principals and managed identities.
func List(ctx context.Context, store engine.CacheStore) ([]Principal, error) {
	var ps []Principal
	err := store.Read(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		var err error
		ps, err = Read(c)
		return err
	})
	return ps, err
}

// Save stores p (replacing the same identity) and the app tokens acquired
// for it, in one write, so a failed save leaves nothing half done.
func Save(ctx context.Context, store engine.CacheStore, p Principal, tokens []cache.AccessToken) error {
	p.AddedAt = time.Now().Unix()
	return store.Write(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		ps, err := Read(c)
		if err != nil {
			return err
		}
		kept := others(ps, p)
		for _, at := range tokens {
			if err := c.SaveAccessToken(at); err != nil {
				return err
			}
		}
		return Write(c, append(kept, p))
	})
}

// Remove deletes p, its credential and every app token cached for its
// client id.
func Remove(ctx context.Context, store engine.CacheStore, p Principal) error {
	clientID := p.CacheClientID()
	return store.Write(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		ps, err := Read(c)
		if err != nil {
			return err
		}
		for _, at := range c.FindAccessTokens(cache.AccessTokenQuery{ClientID: clientID}) {
			c.RemoveAccessToken(at)
		}
		clearActiveIf(c, p)
		return Write(c, others(ps, p))
	})
}

// others is ps without p.
func others(ps []Principal, p Principal) []Principal {
	kept := ps[:0]
	for _, q := range ps {
		if !q.Same(p) {
			kept = append(kept, q)
		}
	}
	return kept
}
