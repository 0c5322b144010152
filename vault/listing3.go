package vault

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"
	"unsafe"

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
	if e, ok := quickFact(c); ok {
		return e, true
	}
	return cacheFact(c)
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

// readListing reads the whole listing bucket in key order and calls fn
// with each listed account's entries (in a buffer fn must not keep),
// checking each account's groups against its head. listed are the account
// tags it found.
func (v *Vault) readListing(tx *bolt.Tx, fn func([]overview.Entry)) (listed map[tag]bool, err error) {
	listed = map[tag]bool{}
	var acct tag
	var entries []overview.Entry
	want, found := 0, 0
	add := func(_ tag, e overview.Entry) { entries = append(entries, e) }
	done := func() error {
		if found != want {
			return v.damaged(fmt.Sprintf("account %x has %d listing groups, its head says %d", acct[:4], found, want))
		}
		fn(entries)
		entries = entries[:0]
		return nil
	}
	err = v.scanBucket(tx, bucketListing, func(k, val []byte) error {
		if len(k) != 2*tagLen {
			return v.damaged("a listing key of the wrong length")
		}
		if [tagLen]byte(k[tagLen:]) == headGroup {
			if len(listed) > 0 {
				if err := done(); err != nil {
					return err
				}
			}
			acct = tag(k[:tagLen])
			listed[acct] = true
			var err error
			if want, err = v.openHead(k, val); err != nil {
				return err
			}
			found = 0
			return nil
		}
		if len(listed) == 0 || tag(k[:tagLen]) != acct {
			return v.damaged(fmt.Sprintf("listing group %x has no head", k[tagLen:tagLen+4]))
		}
		if err := v.openGroup(k, val, add); err != nil {
			return err
		}
		found++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(listed) > 0 {
		err = done()
	}
	return listed, err
}

// listingStrings keeps what listed accounts hold of their entries in
// memory of its own, so a group's decrypted plaintext is freed once its
// account is assembled: the strings many accounts share (cloud, tenant,
// client, scopes) once, the others copied.
type listingStrings map[string]string

func (ls listingStrings) shared(s string) string {
	if v, ok := ls[s]; ok {
		return v
	}
	c := strings.Clone(s)
	ls[c] = c
	return c
}

func (ls listingStrings) keep(e *overview.Entry) {
	e.HomeAccountID = strings.Clone(e.HomeAccountID)
	e.Username = strings.Clone(e.Username)
	e.Name = strings.Clone(e.Name)
	e.Environment = ls.shared(e.Environment)
	e.Realm = ls.shared(e.Realm)
	e.ClientID = ls.shared(e.ClientID)
	e.Target = ls.shared(e.Target)
	e.FamilyID = ls.shared(e.FamilyID)
}

// The encoding of a group: a table of the distinct strings its entries
// use (an account's home id, cloud, tenant and client repeat across its
// entries), then per entry its credential tag, its kind, eight indexes
// into the table and two numbers. The cache key is not kept: it is made
// from the fields when a tie needs it. A listing kept whole strings
// before; this is under half the size, so a listing reads half the pages.
var factKinds = []overview.Kind{overview.KindAccount, overview.KindAccess, overview.KindRefresh, overview.KindID}

func encodeFacts(m map[tag]overview.Entry) []byte {
	tags := make([]tag, 0, len(m))
	for t := range m {
		tags = append(tags, t)
	}
	slices.SortFunc(tags, func(a, b tag) int { return bytes.Compare(a[:], b[:]) })
	index := map[string]int{}
	var table []string
	ref := func(s string) int {
		i, ok := index[s]
		if !ok {
			i = len(table)
			index[s] = i
			table = append(table, s)
		}
		return i
	}
	var body []byte
	for _, t := range tags {
		e := m[t]
		body = append(body, t[:]...)
		body = append(body, byte(slices.Index(factKinds, e.Kind)))
		for _, s := range []string{e.HomeAccountID, e.Environment, e.Realm, e.ClientID, e.Target, e.FamilyID, e.Username, e.Name} {
			body = binary.AppendUvarint(body, uint64(ref(s)))
		}
		body = binary.AppendVarint(body, e.ExpiresOn)
		body = binary.AppendVarint(body, e.Modified)
	}
	out := binary.AppendUvarint(nil, uint64(len(table)))
	for _, s := range table {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	return append(out, body...)
}

// walkFacts calls fn with each entry of a group's plaintext; false when
// it is not one. The entries' strings are slices of plain, which the
// caller hands over: it is freshly decrypted memory nothing writes again,
// so it becomes a string without a copy (listing 10 000 accounts copied
// 8 MB here).
func walkFacts(plain []byte, fn func(t tag, e overview.Entry)) bool {
	if len(plain) == 0 {
		return true
	}
	s := unsafe.String(&plain[0], len(plain))
	i := 0
	uvarint := func() (uint64, bool) {
		n, k := binary.Uvarint(plain[i:])
		if k <= 0 {
			return 0, false
		}
		i += k
		return n, true
	}
	n, ok := uvarint()
	if !ok || n > uint64(len(s)) {
		return false
	}
	table := make([]string, n)
	for j := range table {
		l, ok := uvarint()
		if !ok || l > uint64(len(s)-i) {
			return false
		}
		table[j] = s[i : i+int(l)]
		i += int(l)
	}
	for i < len(s) {
		var t tag
		var e overview.Entry
		if len(s)-i < tagLen+1 || int(s[i+tagLen]) >= len(factKinds) {
			return false
		}
		copy(t[:], s[i:])
		e.Kind = factKinds[s[i+tagLen]]
		i += tagLen + 1
		for _, dst := range []*string{&e.HomeAccountID, &e.Environment, &e.Realm, &e.ClientID, &e.Target, &e.FamilyID, &e.Username, &e.Name} {
			r, ok := uvarint()
			if !ok || r >= uint64(len(table)) {
				return false
			}
			*dst = table[r]
		}
		for _, dst := range []*int64{&e.ExpiresOn, &e.Modified} {
			x, k := binary.Varint(plain[i:])
			if k <= 0 {
				return false
			}
			*dst = x
			i += k
		}
		fn(t, e)
	}
	return true
}

// Overview lists the vault's accounts, each with its tokens' states at
// now, without opening a token: from the listing bucket of a format 3
// file (credentials are opened only for an account written before it
// existed), else by reading the whole cache. The shared entries (service
// principals, managed identities) are not included: Read with
// cache.Hint{Shared: true} has them.
func (v *Vault) Overview(ctx context.Context, now time.Time) ([]overview.Account, error) {
	v.mu.Lock()
	kind, err := v.kindOf()
	v.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if kind != kindStore {
		var list []overview.Account
		err := v.Read(ctx, cache.Hint{}, func(c *cache.Cache) error {
			list = overview.Build(c, now)
			return nil
		})
		return list, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	var list []overview.Account
	err = v.txStore(ctx, false, func(tx *bolt.Tx) error {
		m, err := v.readManifest(tx)
		if err != nil {
			return err
		}
		list = make([]overview.Account, 0, m.Accounts)
		strs := listingStrings{}
		assemble := func(entries []overview.Entry) {
			for i := range entries {
				strs.keep(&entries[i])
			}
			list = overview.AppendAssembled(list, entries, now)
		}
		listed, err := v.readListing(tx, assemble)
		switch {
		case err != nil:
			return err
		case len(listed) == m.Accounts:
			return nil
		case len(listed) > m.Accounts:
			return v.damaged(fmt.Sprintf("%d accounts listed, the manifest says %d", len(listed), m.Accounts))
		}
		// Accounts written before the listing bucket: from their
		// credentials.
		return v.eachAccount(tx, m, func(a *account) error {
			if listed[a.tag] {
				return nil
			}
			cs, err := v.accountCreds(tx, a)
			if err != nil {
				return err
			}
			assemble(factsOf(cs))
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	overview.SortAccounts(list)
	return list, nil
}
