package principals

import (
	"context"
	"encoding/json"
	"fmt"

	"acctui/engine"
	"acctui/engine/cache"
)

// ActiveKey is the vault metadata key of the active principal: the ID of
// the service principal or managed identity `acctui use` chose. It sits in
// the shared record beside Key, sealed like it, so it cannot disagree with
// the list the way a side file could. The vault's own active-account mark
// is for people (it needs an Account entry); the command line keeps at
// most one of the two set.
const ActiveKey = "acctui.active_principal"

// activeValue is the JSON stored under ActiveKey.
type activeValue struct {
	ID string `json:"id"`
}

// ActiveOf is the active principal of a cache holding the shared record;
// ok is false when none is marked or the mark names a principal no longer
// in the list.
func ActiveOf(c *cache.Cache) (Principal, bool, error) {
	raw, ok := c.Metadata(ActiveKey, 0)
	if !ok {
		return Principal{}, false, nil
	}
	var val activeValue
	if err := json.Unmarshal(raw, &val); err != nil {
		return Principal{}, false, fmt.Errorf("vault: the active service principal mark is damaged: %w", err)
	}
	ps, err := Read(c)
	if err != nil {
		return Principal{}, false, err
	}
	for _, p := range ps {
		if p.ID() == val.ID {
			return p, true, nil
		}
	}
	return Principal{}, false, nil
}

// Active reads the store's active principal.
func Active(ctx context.Context, store engine.CacheStore) (p Principal, ok bool, err error) {
	err = store.Read(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		p, ok, err = ActiveOf(c)
		return err
	})
	return p, ok, err
}

// SetActive marks p active; it must be in the store's list (ErrUnknown
// otherwise), so the mark never names a principal that is not there.
func SetActive(ctx context.Context, store engine.CacheStore, p Principal) error {
	return store.Write(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		ps, err := Read(c)
		if err != nil {
			return err
		}
		for _, q := range ps {
			if q.Same(p) {
				raw, err := json.Marshal(activeValue{ID: q.ID()})
				if err != nil {
					return fmt.Errorf("vault: active service principal: %w", err)
				}
				return c.SetMetadata(ActiveKey, raw, 0)
			}
		}
		return fmt.Errorf("%w: %s", ErrUnknown, p.Name())
	})
}

// ClearActive forgets the active principal, if one is marked.
func ClearActive(ctx context.Context, store engine.CacheStore) error {
	return store.Write(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		if _, ok := c.Metadata(ActiveKey, 0); ok {
			c.DeleteMetadata(ActiveKey)
		}
		return nil
	})
}

// clearActiveIf drops the mark when it names p (p is being removed).
func clearActiveIf(c *cache.Cache, p Principal) {
	raw, ok := c.Metadata(ActiveKey, 0)
	if !ok {
		return
	}
	var val activeValue
	if json.Unmarshal(raw, &val) != nil || val.ID == p.ID() {
		c.DeleteMetadata(ActiveKey)
	}
}
