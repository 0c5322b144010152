package vault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"acctui/engine/cache"
	bolt "go.etcd.io/bbolt"
)

// jsonMarshal is json.Marshal with the vault's error.
func jsonMarshal(x any) ([]byte, error) {
	b, err := json.Marshal(x)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	return b, nil
}

// apply writes frags (splitCache's fragments by record id) in tx. set is
// what was loaded, and only says which records the caller was given (nil:
// all of them). A record the caller was given is replaced: credentials it
// no longer has are deleted, and a record missing from frags is removed. A
// record it was not given (fn added entries to another account) is merged:
// the new credentials win, the old stay. Only credentials whose content
// changed are sealed again, and a summary only when what it says changed,
// so a refresh writes one token, the manifest and bbolt's pages for them.
func (v *Vault) apply(tx *bolt.Tx, m manifest, set loaded, only *string, frags map[string][]byte) error {
	names := nameOps{}
	given := func(id string) bool { return only == nil || id == sharedID || id == *only }
	for id, r := range set {
		if _, ok := frags[id]; ok || !given(id) {
			continue
		}
		if id == sharedID {
			if err := v.putShared(tx, r.creds, creds{}); err != nil {
				return err
			}
			m.Shared = 0
			continue
		}
		if err := v.removeAccount(tx, r, names); err != nil {
			return err
		}
		m.Accounts--
	}
	// Keys go in ascending order, and the names last, sorted: bbolt splits
	// nodes only at commit, so puts in random order into a large bucket
	// move memory quadratically (an import of 10 000 accounts took 19 s).
	ids := slices.Collect(maps.Keys(frags))
	tags := make(map[string]tag, len(ids))
	for _, id := range ids {
		tags[id] = recordTag(v.lookup, id)
	}
	slices.SortFunc(ids, func(a, b string) int { ta, tb := tags[a], tags[b]; return bytes.Compare(ta[:], tb[:]) })
	for _, id := range ids {
		frag := frags[id]
		nc, err := fragmentCreds(v.lookup, frag)
		if err != nil {
			return err
		}
		if id == sharedID {
			old := creds{}
			if r := set[sharedID]; r != nil {
				old = r.creds
			}
			if !given(id) {
				nc = mergeCreds(old, nc)
			}
			if err := v.putShared(tx, old, nc); err != nil {
				return err
			}
			m.Shared = len(nc)
			continue
		}
		r := set[id]
		if r == nil && !given(id) {
			a, err := v.findAccount(tx, id)
			if err != nil {
				return err
			}
			if a != nil {
				cs, err := v.accountCreds(tx, a)
				if err != nil {
					return err
				}
				r = &loadedRecord{acct: a, creds: cs}
			}
		}
		if r == nil {
			m.Accounts++
		}
		if err := v.putAccount(tx, id, r, nc, given(id), names); err != nil {
			return err
		}
	}
	if err := v.guardNames(tx, names); err != nil {
		return err
	}
	if err := names.apply(tx); err != nil {
		return err
	}
	m.Generation++
	return v.writeManifest(tx, m)
}

// nameOps are the changes to the names bucket of one write, by key: true
// puts the name, false deletes it; the last change of a key wins.
type nameOps map[string]bool

// apply writes the changes in key order.
func (ops nameOps) apply(tx *bolt.Tx) error {
	b := tx.Bucket(bucketNames)
	for _, k := range slices.Sorted(maps.Keys(ops)) {
		var err error
		if ops[k] {
			err = b.Put([]byte(k), []byte{})
		} else {
			err = b.Delete([]byte(k))
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// mergeCreds is old with new's credentials added, new winning.
func mergeCreds(old, nc creds) creds {
	out := make(creds, len(old)+len(nc))
	for t, c := range old {
		out[t] = c
	}
	for t, c := range nc {
		out[t] = c
	}
	return out
}

// sameCred reports whether two credentials are the same bytes.
func sameCred(a, b cred) bool {
	return a.whole == b.whole && a.section == b.section && a.key == b.key && bytes.Equal(a.val, b.val)
}

// putShared turns the shared record from old into nc.
func (v *Vault) putShared(tx *bolt.Tx, old, nc creds) error {
	if err := v.guardBucket(tx, bucketShared); err != nil {
		return err
	}
	b := tx.Bucket(bucketShared)
	for t, c := range nc {
		if o, ok := old[t]; ok && sameCred(o, c) {
			continue
		}
		if err := b.Put(t[:], seal3(v.aead, c.encode(), sharedAAD3(t[:]))); err != nil {
			return err
		}
	}
	for t := range old {
		if _, ok := nc[t]; !ok {
			if err := b.Delete(t[:]); err != nil {
				return err
			}
		}
	}
	return nil
}

// putAccount writes account id's credentials nc: replacing its old ones
// when replace, else merged into them. r is the account as stored, nil for
// a new one.
func (v *Vault) putAccount(tx *bolt.Tx, id string, r *loadedRecord, nc creds, replace bool, names nameOps) error {
	old := creds{}
	var a *account
	if r != nil {
		a, old = r.acct, r.creds
	} else {
		var err error
		if a, err = newAccount(recordTag(v.lookup, id), id); err != nil {
			return err
		}
	}
	final := nc
	if !replace {
		final = mergeCreds(old, nc)
	}
	aead, err := a.cipher()
	if err != nil {
		return err
	}
	if err := v.guardWrite(tx, bucketRecords, a.tag[:]); err != nil {
		return err
	}
	b := tx.Bucket(bucketRecords)
	for _, t := range sortedTags(final) {
		c := final[t]
		if o, ok := old[t]; ok && sameCred(o, c) {
			continue
		}
		k := recordKey3(a.tag, t)
		if err := b.Put(k, seal3(aead, c.encode(), recordAAD3(k))); err != nil {
			return err
		}
	}
	for t := range old {
		if _, ok := final[t]; !ok {
			if err := b.Delete(recordKey3(a.tag, t)); err != nil {
				return err
			}
		}
	}
	sum := summaryOf(id, final)
	if r != nil && sameSummary(a.sum, sum) {
		return nil
	}
	if r != nil {
		v.putNames(names, a, false)
	}
	a.sum = sum
	v.putNames(names, a, true)
	sealed, err := v.sealAccount(a)
	if err != nil {
		return err
	}
	if err := v.guardWrite(tx, bucketAccounts, a.tag[:]); err != nil {
		return err
	}
	return tx.Bucket(bucketAccounts).Put(a.tag[:], sealed)
}

// summaryOf summarises an account's credentials: their number and what
// its Account entries say.
func summaryOf(id string, cs creds) summary {
	accts := creds{}
	for t, c := range cs {
		if !c.whole && c.section == cache.SectionAccount {
			accts[t] = c
		}
	}
	sum := summary{ID: id, Records: len(cs), Entries: len(accts)}
	if s, ok := summarize(accts.fragment()); ok {
		sum.Account = &s
	}
	return sum
}

// sameSummary compares two summaries.
func sameSummary(a, b summary) bool {
	if a.ID != b.ID || a.Records != b.Records || a.Entries != b.Entries || (a.Account == nil) != (b.Account == nil) {
		return false
	}
	if a.Account == nil {
		return true
	}
	x, y := a.Account, b.Account
	return x.HomeAccountID == y.HomeAccountID && slices.Equal(x.Usernames, y.Usernames) &&
		slices.Equal(x.Environments, y.Environments) && slices.Equal(x.Realms, y.Realms)
}

// putNames adds (or deletes) the name entries of an account's summary.
func (v *Vault) putNames(ops nameOps, a *account, add bool) {
	if a.sum.Account == nil {
		return
	}
	for _, n := range appendNames(nil, v.lookup, 0, *a.sum.Account) {
		ops[string(n.tag[:])+string(a.tag[:])] = add
	}
}

// sortedTags are the tags of cs in ascending order.
func sortedTags(cs creds) []tag {
	out := slices.Collect(maps.Keys(cs))
	slices.SortFunc(out, func(a, b tag) int { return bytes.Compare(a[:], b[:]) })
	return out
}

// removeAccount deletes an account: its credentials, its names and its
// summary, which holds the only copy of the key its credentials were
// sealed under.
func (v *Vault) removeAccount(tx *bolt.Tx, r *loadedRecord, names nameOps) error {
	if err := v.guardRemoval(tx, r.acct.tag); err != nil {
		return err
	}
	b := tx.Bucket(bucketRecords)
	for t := range r.creds {
		if err := b.Delete(recordKey3(r.acct.tag, t)); err != nil {
			return err
		}
	}
	v.putNames(names, r.acct, false)
	return tx.Bucket(bucketAccounts).Delete(r.acct.tag[:])
}
