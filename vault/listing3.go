package vault

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"

	"acctui/engine/cache"
	"acctui/overview"
	bolt "go.etcd.io/bbolt"
)

// The listing bucket keeps, beside each account's sealed credentials, what
// a listing shows of them (overview.Entry: kind, client, tenant, scopes,
// expiry, username, display name; never a secret), so `accounts`, the
// TUI's list and shell completion open no token:
//
//	listing  account tag ‖ 16 zero bytes → the head: how many groups follow
//	         account tag ‖ group tag     → the entries of one tenant's
//	                                       credentials (group "" holds those
//	                                       without a tenant: refresh tokens)
//
// Both sealed under the data key, as the summaries are (they hold no
// token; logout deletes them, and like a summary they may linger on a
// freed page until it is reused or the file compacted): a listing then
// reads this one bucket in order, opening no summary and making no
// per-account cipher. Grouping by tenant keeps a refresh small for an
// account signed in to a thousand tenants: only its tenant's group is
// rewritten.
// An account without a head (written by an acctui before this bucket) is
// listed from its credentials until its next write adds the head.
var bucketListing = []byte("listing")

// headGroup is the head's group tag; groupTag never makes it.
var headGroup tag

// groupTag names the group of a tenant.
func groupTag(lookup []byte, realm string) tag {
	t := makeTag(lookup, "listing group", strings.ToLower(realm))
	if t == headGroup {
		t[0] = 1
	}
	return t
}

func listingAAD3(k []byte) []byte { return append([]byte("acctui v3 listing\x00"), k...) }

// factOf is what the listing shows of a credential; false for what it
// does not show (app metadata, unknown sections, entries that do not
// parse: the engine's cache would not list those either).
func factOf(c cred) (overview.Entry, bool) {
	if c.whole {
		return overview.Entry{}, false
	}
	if c.listed != nil {
		return c.listed.entry, c.listed.ok
	}
	if e, ok := quickFact(c); ok {
		return e, true
	}
	return cacheFact(c)
}

// listedOf is factOf of a credential from the entry the cache's decoder
// made of it (cache.EntryInfo.Entry); nil for an entry of another type.
func listedOf(decoded any) *listedFact {
	switch e := decoded.(type) {
	case *cache.Account:
		return &listedFact{overview.AccountEntry(*e), true}
	case *cache.AccessToken:
		return &listedFact{overview.AccessEntry(*e), true}
	case *cache.RefreshToken:
		return &listedFact{overview.RefreshEntry(*e), true}
	case *cache.IDToken:
		return &listedFact{overview.IDEntry(*e), true}
	case *cache.AppMetadata:
		return &listedFact{}
	}
	return nil
}

// cacheFact is factOf through the cache's own decoder.
func cacheFact(c cred) (overview.Entry, bool) {
	switch c.section {
	case cache.SectionAccount:
		var a cache.Account
		if a.UnmarshalJSON(c.val) == nil {
			return overview.AccountEntry(a), true
		}
	case cache.SectionAccessToken:
		var at cache.AccessToken
		if at.UnmarshalJSON(c.val) == nil {
			return overview.AccessEntry(at), true
		}
	case cache.SectionRefreshToken:
		var rt cache.RefreshToken
		if rt.UnmarshalJSON(c.val) == nil {
			return overview.RefreshEntry(rt), true
		}
	case cache.SectionIDToken:
		var it cache.IDToken
		if it.UnmarshalJSON(c.val) == nil {
			return overview.IDEntry(it), true
		}
	}
	return overview.Entry{}, false
}

// factsOf lists every listed credential of cs.
func factsOf(cs creds) []overview.Entry {
	var out []overview.Entry
	for _, c := range cs {
		if e, ok := factOf(c); ok {
			out = append(out, e)
		}
	}
	return out
}

// putListing brings an account's listing up to date after its credentials
// went from old to final: only the groups of credentials that changed are
// rewritten. An account without a head gets its whole listing.
func (v *Vault) putListing(tx *bolt.Tx, a *account, old, final creds) error {
	if err := v.guardWrite(tx, bucketListing, a.tag[:]); err != nil {
		return err
	}
	b, err := tx.CreateBucketIfNotExists(bucketListing)
	if err != nil {
		return err
	}
	// Imports write listings in key order: fuller pages, fewer to read.
	b.FillPercent = 0.9
	aead := v.aead
	head := b.Get(recordKey3(a.tag, headGroup))
	groups := map[tag]map[tag]overview.Entry{} // group → credential → entry, for groups being rewritten
	n := 0
	if head == nil {
		if err := deletePrefix(b, a.tag[:]); err != nil {
			return err
		}
		for t, c := range final {
			v.addFact(groups, t, c)
		}
	} else {
		if n, err = v.openHead(recordKey3(a.tag, headGroup), head); err != nil {
			return err
		}
		load := func(g tag) (map[tag]overview.Entry, error) {
			if m, ok := groups[g]; ok {
				return m, nil
			}
			m := map[tag]overview.Entry{}
			if sealed := b.Get(recordKey3(a.tag, g)); sealed != nil {
				err := v.openGroup(recordKey3(a.tag, g), sealed, func(t tag, e overview.Entry) { m[t] = e })
				if err != nil {
					return nil, err
				}
				n-- // counted again below if it stays
			}
			groups[g] = m
			return m, nil
		}
		for t, o := range old {
			if c, ok := final[t]; ok && sameCred(o, c) {
				continue
			}
			if e, ok := factOf(o); ok {
				m, err := load(groupTag(v.lookup, e.Realm))
				if err != nil {
					return err
				}
				delete(m, t)
			}
		}
		for t, c := range final {
			if o, ok := old[t]; ok && sameCred(o, c) {
				continue
			}
			if e, ok := factOf(c); ok {
				m, err := load(groupTag(v.lookup, e.Realm))
				if err != nil {
					return err
				}
				m[t] = e
			}
		}
		if len(groups) == 0 {
			return nil
		}
	}
	for g, m := range groups {
		k := recordKey3(a.tag, g)
		if len(m) == 0 {
			if err := b.Delete(k); err != nil {
				return err
			}
			continue
		}
		n++
		if err := b.Put(k, seal3(aead, encodeFacts(m), listingAAD3(k))); err != nil {
			return err
		}
	}
	k := recordKey3(a.tag, headGroup)
	return b.Put(k, seal3(aead, binary.AppendUvarint(nil, uint64(n)), listingAAD3(k)))
}

// addFact files credential t into its group.
func (v *Vault) addFact(groups map[tag]map[tag]overview.Entry, t tag, c cred) {
	e, ok := factOf(c)
	if !ok {
		return
	}
	g := groupTag(v.lookup, e.Realm)
	if groups[g] == nil {
		groups[g] = map[tag]overview.Entry{}
	}
	groups[g][t] = e
}

// hasListing reports whether account a has its listing (a head).
func (v *Vault) hasListing(tx *bolt.Tx, a *account) (bool, error) {
	k := recordKey3(a.tag, headGroup)
	if err := v.guardKey(tx, bucketListing, k); err != nil {
		return false, err
	}
	b := tx.Bucket(bucketListing)
	return b != nil && b.Get(k) != nil, nil
}

// deletePrefix deletes every key of b that starts with prefix.
func deletePrefix(b *bolt.Bucket, prefix []byte) error {
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// removeListing deletes an account's listing.
func removeListing(tx *bolt.Tx, a *account) error {
	if b := tx.Bucket(bucketListing); b != nil {
		return deletePrefix(b, a.tag[:])
	}
	return nil
}

// openHead decrypts an account's listing head: its number of groups.
func (v *Vault) openHead(k, sealed []byte) (int, error) {
	what := func() string { return fmt.Sprintf("listing of account %x", k[:4]) }
	plain, err := v.open3(v.aead, sealed, listingAAD3(k), what)
	if err != nil {
		return 0, err
	}
	n, used := binary.Uvarint(plain)
	if used <= 0 || used != len(plain) || n > 1<<20 {
		return 0, v.damaged(what())
	}
	return int(n), nil
}

// openGroup decrypts one listing group and calls fn with its entries.
func (v *Vault) openGroup(k, sealed []byte, fn func(t tag, e overview.Entry)) error {
	what := func() string { return fmt.Sprintf("listing group %x", k[tagLen:tagLen+4]) }
	plain, err := v.open3(v.aead, sealed, listingAAD3(k), what)
	if err != nil {
		return err
	}
	if !walkFacts(plain, fn) {
		return v.damaged(what())
	}
	return nil
}
