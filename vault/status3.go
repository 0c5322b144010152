package vault

import (
	"bytes"
	"context"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// storeStatus fills in st for a format 3 file: its key, generation and
// free space, and the accounts its summaries list.
func (v *Vault) storeStatus(ctx context.Context, st Status) (Status, error) {
	var id keyID
	err := v.view(ctx, func(tx *bolt.Tx) error {
		var err error
		id, err = v.storeKeyID(tx)
		return err
	})
	if err != nil {
		return st, err
	}
	st.KeyID, st.FormatVersion = id.String(), formatVersion3
	if err := v.unlock(ctx, id); err != nil {
		return st, err
	}
	db, err := v.openStore(ctx, false, true)
	if err != nil {
		return st, err
	}
	defer db.Close()
	err = v.guarded(func() error {
		st.Free = freeBytes(db)
		return db.View(func(tx *bolt.Tx) error {
			if _, err := v.storeKeyID(tx); err != nil {
				return err
			}
			m, err := v.readManifest(tx)
			if err != nil {
				return err
			}
			st.Generation = m.Generation
			return v.eachAccount(tx, m, func(a *account) error {
				if a.sum.Account != nil {
					st.Accounts++
				}
				return nil
			})
		})
	})
	st.KeyFromKernel = v.key != nil && v.key.fromKernel
	return st, err
}

// storeAccounts lists the accounts of a format 3 file from their
// summaries alone, sorted by home account id.
func (v *Vault) storeAccounts(ctx context.Context) ([]AccountSummary, error) {
	type keyed struct {
		id string // the record id, which orders the list
		s  *AccountSummary
	}
	var list []keyed
	err := v.txStore(ctx, false, func(tx *bolt.Tx) error {
		m, err := v.readManifest(tx)
		if err != nil {
			return err
		}
		list = make([]keyed, 0, m.Accounts)
		return v.eachAccount(tx, m, func(a *account) error {
			if a.sum.Account != nil {
				list = append(list, keyed{a.sum.ID, a.sum.Account})
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(list, func(a, b keyed) int { return strings.Compare(a.id, b.id) })
	out := make([]AccountSummary, len(list))
	for i, k := range list {
		out[i] = *k.s
	}
	return out, nil
}

// storeResolve finds accounts by name through the names bucket and
// confirms each with its summary.
func (v *Vault) storeResolve(ctx context.Context, name string) ([]AccountSummary, error) {
	var out []AccountSummary
	err := v.txStore(ctx, false, func(tx *bolt.Tx) error {
		if _, err := v.readManifest(tx); err != nil {
			return err
		}
		var err error
		out, err = v.resolveIn(tx, name)
		return err
	})
	if err != nil {
		return nil, err
	}
	return cloneSummaries(out), nil
}

// resolveIn is storeResolve's lookup in a transaction whose manifest the
// caller has read: the accounts name matches, sorted by home account id.
// The summaries are not yet cloned.
func (v *Vault) resolveIn(tx *bolt.Tx, name string) ([]AccountSummary, error) {
	var out []AccountSummary
	nt := nameTag(v.lookup, name)
	if err := v.guardPrefix(tx, bucketNames, nt[:]); err != nil {
		return nil, err
	}
	c := tx.Bucket(bucketNames).Cursor()
	accounts := tx.Bucket(bucketAccounts)
	for k, _ := c.Seek(nt[:]); k != nil && bytes.HasPrefix(k, nt[:]); k, _ = c.Next() {
		if len(k) != 2*tagLen {
			return nil, v.damaged("a name key of the wrong length")
		}
		var t tag
		copy(t[:], k[tagLen:])
		if err := v.guardKey(tx, bucketAccounts, t[:]); err != nil {
			return nil, err
		}
		sealed := accounts.Get(t[:])
		if sealed == nil {
			return nil, v.damaged("a name of no account")
		}
		a, err := v.openAccount(t, sealed)
		if err != nil {
			return nil, err
		}
		s := a.sum.Account
		if s != nil && (strings.EqualFold(s.HomeAccountID, name) || containsFold(s.Usernames, name)) {
			out = append(out, *s)
		}
	}
	slices.SortFunc(out, func(a, b AccountSummary) int { return strings.Compare(a.HomeAccountID, b.HomeAccountID) })
	return out, nil
}
