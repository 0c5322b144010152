package vault

import (
	"context"

	"acctui/engine/cache"
	bolt "go.etcd.io/bbolt"
)

// Resolution is ResolveAccount's answer, kept for a caller that looks at
// it later: the accounts the name matched, or the error the lookup met.
type Resolution struct {
	Summaries []AccountSummary
	Err       error
}

// ReadSharedResolving runs fn with the shared record (service principals,
// marks, app tokens: no account's records) as Read with cache.Hint{Shared:
// true} does, and resolves name as ResolveAccount does, in one transaction
// of the file. A command that checks whether a name is a service principal
// before looking it up among people (acctui token --account) opens the
// vault once instead of twice. The lookup's own error is kept in the
// Resolution rather than returned, so a caller that finds a principal is
// not failed by a lookup it never needed; fn's error, or the shared
// record's, is returned.
func (v *Vault) ReadSharedResolving(ctx context.Context, name string, fn func(*cache.Cache) error) (Resolution, error) {
	v.mu.Lock()
	kind, err := v.kindOf()
	if err != nil {
		v.mu.Unlock()
		return Resolution{}, err
	}
	if kind != kindStore {
		// A vault not yet in format 3 (or none): the two calls as they are.
		v.mu.Unlock()
		if err := v.Read(ctx, cache.Hint{Shared: true}, fn); err != nil {
			return Resolution{}, err
		}
		s, rerr := v.ResolveAccount(ctx, name)
		return Resolution{Summaries: s, Err: rerr}, nil
	}
	defer v.mu.Unlock()
	c, res, err := v.storeSharedResolving(ctx, name)
	if err != nil {
		return Resolution{}, err
	}
	if err := fn(c); err != nil {
		return Resolution{}, err
	}
	return res, nil
}

// storeSharedResolving is ReadSharedResolving's transaction on a format 3
// file. The caller holds mu.
func (v *Vault) storeSharedResolving(ctx context.Context, name string) (*cache.Cache, Resolution, error) {
	v.setSnapshot(nil)
	shared := sharedID
	var (
		set loaded
		res Resolution
	)
	err := v.txStore(ctx, false, func(tx *bolt.Tx) error {
		var err error
		if set, _, err = v.loadStore(tx, &shared); err != nil {
			return err
		}
		res.Summaries, res.Err = v.resolveIn(tx, name)
		return nil
	})
	if err != nil {
		return nil, Resolution{}, err
	}
	c, err := set.cache(v.path)
	if err != nil {
		return nil, Resolution{}, err
	}
	if res.Err == nil {
		res.Summaries = cloneSummaries(res.Summaries)
	} else {
		res.Summaries = nil
	}
	return c, res, nil
}
