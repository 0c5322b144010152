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
		if r.groups != nil {
			// the caller saw only some realms: only those are emptied
			gone, err := v.putAccount(tx, id, r, creds{}, true, names)
			if err != nil {
				return err
			}
			if gone {
				m.Accounts--
			}
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
		gone, err := v.putAccount(tx, id, r, nc, given(id), names)
		if err != nil {
			return err
		}
		if gone {
			m.Accounts--
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
		if err := b.Put(t[:], sealCred(v.aead, c, sharedAAD3(t[:]))); err != nil {
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
// a new one. It reports whether it removed the account, nothing being left.
func (v *Vault) putAccount(tx *bolt.Tx, id string, r *loadedRecord, nc creds, replace bool, names nameOps) (bool, error) {
	if r == nil {
		a, err := newAccount(recordTag(v.lookup, id), id)
		if err != nil {
			return false, err
		}
		return false, v.writeAccount(tx, a, false, creds{}, nc, summaryOf(id, nc), names)
	}
	if r.groups != nil {
		return v.putAccountPart(tx, id, r, nc, names)
	}
	grouped, err := v.grouped(r.acct, r.creds)
	if err != nil {
		return false, err
	}
	final := nc
	if !replace {
		base := r.creds
		if !grouped {
			base = retag(v.lookup, base)
		}
		final = mergeCreds(base, nc)
	}
	return v.putWhole(tx, id, r, final, names)
}

// putWhole turns the whole account r into final. Records under ungrouped
// tags (an account written before realm groups, or since by an older
// acctui) are not among final's tags, so they are all deleted and written
// again under grouped ones, after which realm-hinted reads of it narrow.
func (v *Vault) putWhole(tx *bolt.Tx, id string, r *loadedRecord, final creds, names nameOps) (bool, error) {
	if len(final) == 0 {
		return true, v.removeAccount(tx, r, names)
	}
	return false, v.writeAccount(tx, r.acct, true, r.creds, final, summaryOf(id, final), names)
}

// putAccountPart writes nc over an account read in some realm groups only
// (r.groups). Only credentials the caller saw can be deleted: the rest of
// any group nc writes into is read first and kept. The summary is updated
// from the groups written, unless a write changed or dropped an Account
// entry: then which usernames and realms remain needs the whole account,
// which is read and written as putWhole does.
func (v *Vault) putAccountPart(tx *bolt.Tx, id string, r *loadedRecord, nc creds, names nameOps) (bool, error) {
	a, seen := r.acct, r.creds
	old := maps.Clone(seen)
	groups := maps.Clone(r.groups)
	var extra []group
	for t := range nc {
		if g := t.groupOf(); !groups[g] {
			groups[g] = true
			extra = append(extra, g)
		}
	}
	found := true
	if len(extra) > 0 {
		more, ok, err := v.groupCreds(tx, a, extra)
		if err != nil {
			return false, err
		}
		found = ok
		maps.Copy(old, more)
	}
	final := withUnseen(nc, old, seen)
	// An account without a listing yet gets it from all its credentials.
	listed, err := v.hasListing(tx, a)
	if err != nil {
		return false, err
	}
	if !found || accountEntriesChanged(old, final) || !listed {
		whole, err := v.loadAccount(tx, a, nil)
		if err != nil {
			return false, err
		}
		grouped, err := v.grouped(a, whole.creds)
		if err != nil {
			return false, err
		}
		unseen := creds{}
		for t, c := range whole.creds {
			if _, ok := seen[t]; !ok {
				unseen[t] = c
			}
		}
		if !grouped {
			unseen = retag(v.lookup, unseen)
		}
		return v.putWhole(tx, id, whole, withUnseen(nc, unseen, nil), names)
	}
	sum, err := v.partSummary(a, old, final, groups)
	if err != nil {
		return false, err
	}
	if sum.Records == 0 {
		return true, v.removeAccount(tx, &loadedRecord{acct: a, creds: old}, names)
	}
	return false, v.writeAccount(tx, a, true, old, final, sum, names)
}

// withUnseen is nc plus the credentials of from that the caller was not
// given (not in seen) and did not write.
func withUnseen(nc, from, seen creds) creds {
	out := maps.Clone(nc)
	for t, c := range from {
		_, saw := seen[t]
		if _, wrote := out[t]; !saw && !wrote {
			out[t] = c
		}
	}
	return out
}

// accountEntriesChanged reports whether an Account entry of old is gone
// from final or different there.
func accountEntriesChanged(old, final creds) bool {
	for t, c := range old.accountEntries() {
		if f, ok := final[t]; !ok || !sameCred(f, c) {
			return true
		}
	}
	return false
}

// accountEntries are the Account entries among cs.
func (cs creds) accountEntries() creds {
	out := creds{}
	for t, c := range cs {
		if !c.whole && c.section == cache.SectionAccount {
			out[t] = c
		}
	}
	return out
}

// partSummary is the summary of account a after old, all its credentials
// in groups, became final, no Account entry of old having changed: the
// counts of those groups are recounted, the rest kept, and the Account
// entries final adds are added to the account's names.
func (v *Vault) partSummary(a *account, old, final creds, groups map[group]bool) (summary, error) {
	counts, err := v.groupCounts(a)
	if err != nil {
		return summary{}, err
	}
	if counts == nil {
		return summary{}, v.damaged(fmt.Sprintf("account %x was read in part but has no groups", a.tag[:4]))
	}
	for g := range groups {
		delete(counts, g)
	}
	maps.Copy(counts, groupCounts(final))
	sum := a.sum
	sum.Records += len(final) - len(old)
	sum.Entries += len(final.accountEntries()) - len(old.accountEntries())
	sum.Groups = encodeGroups(counts)
	added := creds{}
	for t, c := range final.accountEntries() {
		if _, ok := old[t]; !ok {
			added[t] = c
		}
	}
	if s, ok := summarizeCreds(added); ok {
		sum.Account = unionSummary(sum.Account, s)
	}
	return sum, nil
}

// unionSummary is what summarize gives for the Account entries of a and b
// together.
func unionSummary(a *AccountSummary, b AccountSummary) *AccountSummary {
	if a == nil {
		return &b
	}
	union := func(x, y []string) []string {
		out := slices.Clone(x)
		for _, s := range y {
			out = appendUnique(out, s)
		}
		slices.Sort(out)
		return out
	}
	return &AccountSummary{HomeAccountID: a.HomeAccountID, Usernames: union(a.Usernames, b.Usernames),
		Environments: union(a.Environments, b.Environments), Realms: union(a.Realms, b.Realms)}
}

// writeAccount writes the credentials of account a that differ between old
// (what is stored, by stored tag) and final, and its summary sum when that
// differs from the stored one (existed) or is new.
func (v *Vault) writeAccount(tx *bolt.Tx, a *account, existed bool, old, final creds, sum summary, names nameOps) error {
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
		if err := b.Put(k, sealCred(aead, c, recordAAD3(k))); err != nil {
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
	if err := v.putListing(tx, a, old, final); err != nil {
		return err
	}
	if existed && sameSummary(a.sum, sum) {
		return nil
	}
	if existed {
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
	sum := summary{ID: id, Records: len(cs), Entries: countAccountCreds(cs), Layout: layoutRealm, Groups: encodeGroups(groupCounts(cs))}
	if s, ok := summarizeCreds(cs); ok {
		sum.Account = &s
	}
	return sum
}

// sameSummary compares two summaries.
func sameSummary(a, b summary) bool {
	if a.ID != b.ID || a.Records != b.Records || a.Entries != b.Entries || a.Layout != b.Layout || a.Groups != b.Groups ||
		(a.Account == nil) != (b.Account == nil) {
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
	if err := removeListing(tx, r.acct); err != nil {
		return err
	}
	v.putNames(names, r.acct, false)
	return tx.Bucket(bucketAccounts).Delete(r.acct.tag[:])
}
