package vault

import (
	"context"
	"slices"

	"acctui/engine/cache"
	bolt "go.etcd.io/bbolt"
)

// Resolution is ResolveAccount's answer, kept for a caller that looks at
// it later: the accounts the name matched, or the error the lookup met.
type Resolution struct {
	Summaries []AccountSummary
	Err       error
}

// ReadMetadataResolving calls fn with the shared record's metadata values
// under keys (cache.Metadata), and resolves name as ResolveAccount does,
// in one transaction of the file: a command that checks whether a name is
// a service principal before looking it up among people (acctui token
// --account) opens the vault once instead of twice, and parses only the
// metadata it asked for, not every app token and discovery result the
// shared record holds. A vault not yet in format 3 gives fn the whole
// shared record. The lookup's own error is kept in the Resolution rather
// than returned, so a caller that finds a principal is not failed by a
// lookup it did not need; fn's error, or the shared record's, is returned.
func (v *Vault) ReadMetadataResolving(ctx context.Context, name string, keys []string, fn func(*cache.Cache) error) (Resolution, error) {
	v.mu.Lock()
	kind, err := v.kindOf()
	if err != nil {
		v.mu.Unlock()
		return Resolution{}, err
	}
	if kind != kindStore {
		v.mu.Unlock()
		if err := v.Read(ctx, cache.Hint{Shared: true}, fn); err != nil {
			return Resolution{}, err
		}
		s, rerr := v.ResolveAccount(ctx, name)
		return Resolution{Summaries: s, Err: rerr}, nil
	}
	defer v.mu.Unlock()
	c, res, err := v.storeMetadataResolving(ctx, name, keys)
	if err != nil {
		return Resolution{}, err
	}
	if err := fn(c); err != nil {
		return Resolution{}, err
	}
	return res, nil
}

// storeMetadataResolving is ReadMetadataResolving's transaction on a
// format 3 file. The caller holds mu.
func (v *Vault) storeMetadataResolving(ctx context.Context, name string, keys []string) (*cache.Cache, Resolution, error) {
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
	if r := set[sharedID]; r != nil {
		r.creds = metadataCreds(r.creds, keys)
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

// metadataCreds are the metadata values among cs stored under keys.
func metadataCreds(cs creds, keys []string) creds {
	out := creds{}
	for t, c := range cs {
		if !c.whole && c.section == cache.SectionMetadata && slices.Contains(keys, c.key) {
			out[t] = c
		}
	}
	return out
}
