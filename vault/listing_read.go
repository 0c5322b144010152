package vault

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"acctui/engine/cache"
	"acctui/overview"
	bolt "go.etcd.io/bbolt"
)

// Reading the listing bucket (listing3.go): Overview for a list in memory
// (the TUI), EachOverview for a list streamed in order with memory that
// does not hold every account assembled (`acctui accounts`).

// readListing reads the whole listing bucket in key order and calls fn
// with each listed account's decrypted groups (new memory fn may keep),
// checking each account's groups against its head. listed are the account
// tags it found.
func (v *Vault) readListing(tx *bolt.Tx, fn func(acct tag, groups [][]byte) error) (listed map[tag]bool, err error) {
	listed = map[tag]bool{}
	var acct tag
	var groups [][]byte
	want := 0
	done := func() error {
		if len(groups) != want {
			return v.damaged(fmt.Sprintf("account %x has %d listing groups, its head says %d", acct[:4], len(groups), want))
		}
		err := fn(acct, groups)
		groups = nil // fn may keep them
		return err
	}
	aad := []byte(listingAAD3(nil))
	prefix := len(aad)
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
			want, err = v.openHead(k, val)
			return err
		}
		if len(listed) == 0 || tag(k[:tagLen]) != acct {
			return v.damaged(fmt.Sprintf("listing group %x has no head", k[tagLen:tagLen+4]))
		}
		aad = append(aad[:prefix], k...)
		plain, err := v.open3(v.aead, val, aad, func() string { return fmt.Sprintf("listing group %x", k[tagLen:tagLen+4]) })
		if err != nil {
			return err
		}
		groups = append(groups, plain)
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

// appendFacts appends the entries of an account's listing groups to dst;
// their strings are slices of the groups.
func (v *Vault) appendFacts(dst []overview.Entry, acct tag, groups [][]byte) ([]overview.Entry, error) {
	add := func(_ tag, e overview.Entry) { dst = append(dst, e) }
	for _, g := range groups {
		if !walkFacts(g, add) {
			return dst, v.damaged(fmt.Sprintf("a listing group of account %x", acct[:4]))
		}
	}
	return dst, nil
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

// eachListed calls listed with each account that has a listing, and
// unlisted with the entries of each account written before the listing
// bucket existed (from its credentials, in memory of their own).
// accounts is called first with the number of accounts in the vault.
func (v *Vault) eachListed(tx *bolt.Tx, accounts func(int), listed func(acct tag, groups [][]byte) error, unlisted func([]overview.Entry) error) error {
	m, err := v.readManifest(tx)
	if err != nil {
		return err
	}
	accounts(m.Accounts)
	seen, err := v.readListing(tx, listed)
	switch {
	case err != nil:
		return err
	case len(seen) == m.Accounts:
		return nil
	case len(seen) > m.Accounts:
		return v.damaged(fmt.Sprintf("%d accounts listed, the manifest says %d", len(seen), m.Accounts))
	}
	strs := listingStrings{}
	return v.eachAccount(tx, m, func(a *account) error {
		if seen[a.tag] {
			return nil
		}
		cs, err := v.accountCreds(tx, a)
		if err != nil {
			return err
		}
		entries := factsOf(cs)
		for i := range entries {
			strs.keep(&entries[i])
		}
		return unlisted(entries)
	})
}

// Overview lists the vault's accounts, each with its tokens' states at
// now, without opening a token: from the listing bucket of a format 3
// file (credentials are opened only for an account written before it
// existed), else by reading the whole cache. The shared entries (service
// principals, managed identities) are not included: Read with
// cache.Hint{Shared: true} has them.
func (v *Vault) Overview(ctx context.Context, now time.Time) ([]overview.Account, error) {
	store, err := v.isStore()
	if err != nil || !store {
		return v.overviewOfCache(ctx, now, err)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	var list []overview.Account
	err = v.txStore(ctx, false, func(tx *bolt.Tx) error {
		strs := listingStrings{}
		var entries []overview.Entry
		listed := func(acct tag, groups [][]byte) error {
			var err error
			if entries, err = v.appendFacts(entries[:0], acct, groups); err != nil {
				return err
			}
			for i := range entries {
				strs.keep(&entries[i]) // the groups are freed
			}
			list = overview.AppendAssembled(list, entries, now)
			return nil
		}
		unlisted := func(entries []overview.Entry) error {
			list = overview.AppendAssembled(list, entries, now)
			return nil
		}
		size := func(n int) { list = make([]overview.Account, 0, n) }
		return v.eachListed(tx, size, listed, unlisted)
	})
	if err != nil {
		return nil, err
	}
	overview.SortAccounts(list)
	return list, nil
}

// EachOverview calls fn with the accounts Overview lists, in the same
// order, one at a time. Of each account it keeps only its entries,
// packed (a table of their strings, no credential tags: about 400 bytes),
// sorts those, and assembles each account only to hand it to fn, after
// the vault is unlocked; an account fn has seen is freed. At 50 000
// accounts that held 27 MB live where Overview holds 48 MB assembled.
func (v *Vault) EachOverview(ctx context.Context, now time.Time, fn func(overview.Account) error) error {
	store, err := v.isStore()
	if err != nil || !store {
		list, err := v.overviewOfCache(ctx, now, err)
		for _, a := range list {
			if err != nil {
				break
			}
			err = fn(a)
		}
		return err
	}
	var order []pending
	keep := func(entries []overview.Entry) {
		user, home, ok := overview.SortKey(entries)
		if !ok {
			return // no Account entry: not listed
		}
		key := user + home // a copy: entries point into the groups
		order = append(order, pending{username: key[:len(user)], home: key[len(user):], packed: packEntries(entries)})
	}
	// The scan decrypts; a goroutine of its own unpacks, keys and packs
	// each account meanwhile, on the second core.
	type job struct {
		acct    tag
		groups  [][]byte
		entries []overview.Entry // an account without a listing
	}
	jobs := make(chan job, 256)
	var packErr error
	packing := make(chan struct{})
	go func() {
		defer close(packing)
		var entries []overview.Entry
		for j := range jobs {
			if packErr != nil {
				continue // drained: the error is returned when the scan ends
			}
			if j.groups == nil {
				keep(j.entries)
				continue
			}
			if entries, packErr = v.appendFacts(entries[:0], j.acct, j.groups); packErr == nil {
				keep(entries)
			}
		}
	}()
	v.mu.Lock()
	err = v.txStore(ctx, false, func(tx *bolt.Tx) error {
		listed := func(acct tag, groups [][]byte) error {
			jobs <- job{acct: acct, groups: groups}
			return nil
		}
		unlisted := func(entries []overview.Entry) error {
			jobs <- job{entries: entries}
			return nil
		}
		size := func(n int) { order = make([]pending, 0, n) }
		return v.eachListed(tx, size, listed, unlisted)
	})
	v.mu.Unlock()
	close(jobs)
	<-packing
	if err == nil {
		err = packErr
	}
	if err != nil {
		return err
	}
	// Sorted by index: moving the entries themselves cost write barriers.
	sorted := make([]int32, len(order))
	for i := range sorted {
		sorted[i] = int32(i)
	}
	slices.SortFunc(sorted, func(i, j int32) int {
		a, b := &order[i], &order[j]
		return overview.CompareSortKeys(a.username, a.home, b.username, b.home)
	})
	batches, stop := assembleAhead(order, sorted, now)
	defer stop()
	for batch := range batches {
		for _, a := range batch {
			if err := fn(a); err != nil {
				return err
			}
		}
	}
	return nil
}

// pending is an account EachOverview will assemble: its sort key (a copy
// of its own) and its packed entries.
type pending struct {
	username, home string
	packed         []byte
}

// assembleBatch is how many accounts assembleAhead hands over at once: a
// channel send per account would cost more than it saves.
const assembleBatch = 64

// assembleAhead assembles the accounts of order in the order sorted gives,
// on a goroutine of its own, a few batches ahead of the caller, who prints
// them (assembling was a third of handing over 10 000 accounts, and there
// is a second core). It frees each account's packed entries as it goes.
// stop ends it early and waits for it.
func assembleAhead(order []pending, sorted []int32, now time.Time) (batches <-chan []overview.Account, stop func()) {
	out := make(chan []overview.Account, 2)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(out)
		var unpacked []overview.Entry
		unpack := func(_ tag, e overview.Entry) { unpacked = append(unpacked, e) }
		batch := make([]overview.Account, 0, assembleBatch)
		for n, i := range sorted {
			unpacked = unpacked[:0]
			walkEntries(order[i].packed, false, unpack) // packed here: it is whole
			batch = overview.AppendAssembled(batch, unpacked, now)
			order[i] = pending{}
			if len(batch) >= assembleBatch || n == len(sorted)-1 && len(batch) > 0 {
				select {
				case out <- batch:
				case <-quit:
					return
				}
				batch = make([]overview.Account, 0, assembleBatch)
			}
		}
	}()
	return out, func() {
		close(quit)
		<-done
	}
}

// isStore reports whether the vault is a format 3 store (else the whole
// cache is read).
func (v *Vault) isStore() (bool, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	kind, err := v.kindOf()
	return kind == kindStore, err
}

// overviewOfCache is Overview of a vault that is not a format 3 store,
// from the whole cache; err is isStore's error.
func (v *Vault) overviewOfCache(ctx context.Context, now time.Time, err error) ([]overview.Account, error) {
	if err != nil {
		return nil, err
	}
	var list []overview.Account
	err = v.Read(ctx, cache.Hint{}, func(c *cache.Cache) error {
		list = overview.Build(c, now)
		return nil
	})
	return list, err
}
