package vault

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"acctui/engine/cache"
	bolt "go.etcd.io/bbolt"
)

// errNeedKey ends a transaction that found the file under a key not yet
// unlocked: the keyring (perhaps a passphrase prompt) is asked with the
// file closed, so no bbolt lock is held while a person types. Only the
// kernel keyring cache, which cannot prompt or wait, is read with the file
// open (unlockFromKernel).
var errNeedKey = errors.New("vault: data key needed")

// errNoChange rolls back a write transaction that changed nothing, so an
// unchanged cache costs no commit.
var errNoChange = errors.New("vault: nothing changed")

// txStore runs fn in a transaction of the format 3 file with the file's
// data key unlocked: a read transaction, or a write transaction committed
// when fn returns nil. A write compacts the file afterwards when its free
// space passes the threshold.
func (v *Vault) txStore(ctx context.Context, write bool, fn func(tx *bolt.Tx) error) error {
	if write {
		v.dropHeld() // its shared lock would make bbolt's exclusive one wait
	}
	for {
		db := v.takeHeld()
		keep := db == nil && v.keepsNext(write)
		var err error
		if db == nil {
			if db, err = v.openStore(ctx, write, false); err != nil {
				return err
			}
		}
		var want keyID
		err = v.guarded(func() error {
			run := db.View
			if write {
				run = db.Update
			}
			return run(func(tx *bolt.Tx) error {
				id, err := v.storeKeyID(tx)
				if err != nil {
					return err
				}
				if (v.key == nil || v.key.id != id) && !v.unlockFromKernel(id) {
					want = id
					return errNeedKey
				}
				return fn(tx)
			})
		})
		if write && err == nil {
			// The write is committed; a failed compaction is tried again
			// by the next write.
			_ = v.guarded(func() error { return v.maybeCompact(db) })
		}
		if keep && err == nil {
			v.kept(db)
		} else {
			db.Close()
		}
		if errors.Is(err, errNoChange) {
			return nil
		}
		if !errors.Is(err, errNeedKey) {
			return err
		}
		if err := v.unlock(ctx, want); err != nil {
			return err
		}
	}
}

// unlockFromKernel makes the kernel keyring's cached copy of key id the
// current key. It cannot prompt or wait, so a transaction takes it with the
// file open: the first read of a process with the key cached opens the
// file once instead of twice.
func (v *Vault) unlockFromKernel(id keyID) bool {
	dk, ok := v.keys.fromKernel(id)
	return ok && v.useKey(dk) == nil
}

// loaded are records read in a transaction, by record id: the shared
// record (id "", acct nil) and accounts.
type loaded map[string]*loadedRecord

type loadedRecord struct {
	acct  *account
	creds creds
	// groups are the realm groups read when only those were (a
	// realm-hinted load); nil when creds are the whole account.
	groups map[group]bool
}

// loadStore reads the shared record and the account *only, or every
// account when only is nil. With realms, an account whose records are
// grouped by realm is read only in those realms' groups and the group of
// realm "" (refresh tokens).
func (v *Vault) loadStore(tx *bolt.Tx, only *string, realms ...string) (loaded, manifest, error) {
	m, err := v.readManifest(tx)
	if err != nil {
		return nil, m, err
	}
	sh, err := v.sharedCreds(tx, m)
	if err != nil {
		return nil, m, err
	}
	set := loaded{sharedID: {creds: sh}}
	add := func(a *account) error {
		r, err := v.loadAccount(tx, a, realms)
		if err == nil {
			set[a.sum.ID] = r
		}
		return err
	}
	switch {
	case only == nil:
		realms = nil
		err = v.eachAccount(tx, m, add)
	case *only != sharedID:
		var a *account
		// a read never uses the summary's names: they are not decoded
		if a, err = v.findAccountAs(tx, *only, tx.Writable()); err == nil && a != nil {
			err = add(a)
		}
	}
	return set, m, err
}

// loadAccount reads an account's credentials: those of the realms' groups
// when there are realms and its records are grouped, else all of them.
func (v *Vault) loadAccount(tx *bolt.Tx, a *account, realms []string) (*loadedRecord, error) {
	if len(realms) > 0 && a.sum.Layout == layoutRealm {
		groups := map[group]bool{realmGroup(v.lookup, ""): true}
		for _, r := range realms {
			groups[realmGroup(v.lookup, r)] = true
		}
		cs, ok, err := v.groupCreds(tx, a, slices.Collect(maps.Keys(groups)))
		if err != nil {
			return nil, err
		}
		if ok {
			return &loadedRecord{acct: a, creds: cs, groups: groups}, nil
		}
	}
	cs, err := v.accountCreds(tx, a)
	if err != nil {
		return nil, err
	}
	return &loadedRecord{acct: a, creds: cs}, nil
}

// cache parses the loaded records as one cache.
func (set loaded) cache(path string) (*cache.Cache, error) {
	entries := map[string][]member{}
	var whole []member
	for _, r := range set {
		r.creds.appendTo(entries, &whole)
	}
	c, err := parseFragment(entries, whole)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, path, err)
	}
	c.ResetStateChanged()
	return c, nil
}

// storeOptions are bbolt's options for a file being created that will hold
// about size bytes: mapped that large from the start, as a commit that
// outgrows the map remaps the file and walks every node it holds, again
// at each doubling.
func (v *Vault) storeOptions(size int64) *bolt.Options {
	return &bolt.Options{Timeout: v.opts.LockTimeout, NoFreelistSync: noFreelistSync, FreelistType: bolt.FreelistMapType,
		InitialMmapSize: mapSize(size)}
}

// mapSize is the map for a file of about size bytes: twice that, at most
// 16 GB (address space, not memory), or bbolt's default below 32 MB, where
// bbolt would grow the file itself to the whole map.
func mapSize(size int64) int {
	if 2*size < 32<<20 {
		return 0
	}
	return int(min(2*size, 16<<30))
}

// createStore writes a new format 3 file under dk (fill adds its content
// and must write the manifest) beside the vault and renames it over
// vault.db, so that holds the old file or the whole new one; then, with
// vault.db durable, it puts the stub at vault.acctui. The caller holds the
// lock file.
func (v *Vault) createStore(ctx context.Context, dk dataKey, size int64, fill func(tx *bolt.Tx) error) error {
	return v.createStoreBatches(ctx, dk, size, func(update func(func(tx *bolt.Tx) error) error) error { return update(fill) })
}

// createStoreBatches is createStore whose content fill writes in as many
// transactions as it likes (each call of update is one): a transaction
// holds what it writes in memory until it commits. The new file replaces
// vault.db only after the last, so the write is still all or nothing.
func (v *Vault) createStoreBatches(ctx context.Context, dk dataKey, size int64, fill func(update func(func(tx *bolt.Tx) error) error) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	if err := v.useKey(dk); err != nil {
		return err
	}
	empty := func(db *bolt.DB) error {
		return db.Update(func(tx *bolt.Tx) error {
			meta, err := tx.CreateBucket(bucketMeta)
			if err != nil {
				return err
			}
			if err := meta.Put(metaFormat, []byte("3")); err != nil {
				return err
			}
			if err := meta.Put(metaKeyID, dk.id[:]); err != nil {
				return err
			}
			for _, b := range [][]byte{bucketAccounts, bucketRecords, bucketShared, bucketNames} {
				if _, err := tx.CreateBucket(b); err != nil {
					return err
				}
			}
			return nil
		})
	}
	return v.replaceStore(ctx, size, empty, fill)
}

// replaceStore writes a new file beside the vault, starting with what
// seed writes into it, then fill's transactions, and renames it over
// vault.db after the last. The caller holds the lock file.
func (v *Vault) replaceStore(ctx context.Context, size int64, seed func(db *bolt.DB) error, fill func(update func(func(tx *bolt.Tx) error) error) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	dir := filepath.Dir(v.dbPath)
	removeStaleTemps(dir)
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("vault: write: %w", err)
	}
	tmp := f.Name()
	f.Close()
	fail := func(err error) error {
		os.Remove(tmp)
		return err
	}
	// The path guard reads the file a transaction sees: from the second
	// transaction on, this one's pages are on disk.
	opts := v.storeOptions(size)
	var file *os.File
	opts.OpenFile = func(name string, flag int, mode os.FileMode) (*os.File, error) {
		f, err := openFile(name, flag, mode)
		file = f
		return f, err
	}
	db, err := bolt.Open(tmp, 0o600, opts)
	if err != nil {
		return fail(fmt.Errorf("vault: write %s: %w", v.dbPath, err))
	}
	// The file counts only once it is renamed over vault.db: one sync
	// before that makes it durable, not one per transaction (a shared
	// disk can take a second over each).
	db.NoSync = true
	err = seed(db)
	v.guard.opened(db, file) // after seed, which may open the old file
	if err == nil {
		err = fill(func(fn func(tx *bolt.Tx) error) error {
			return v.guarded(func() error { return db.Update(fn) })
		})
	}
	if err == nil {
		err = v.guarded(db.Sync)
	}
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return fail(fmt.Errorf("vault: write %s: %w", v.dbPath, err))
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return fail(fmt.Errorf("vault: write %s: %w", v.dbPath, err))
	}
	if err := os.Rename(tmp, v.dbPath); err != nil {
		return fail(fmt.Errorf("vault: write %s: %w", v.dbPath, err))
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	return v.writeStub()
}

// writeManifest seals m into the file.
func (v *Vault) writeManifest(tx *bolt.Tx, m manifest) error {
	js, err := jsonMarshal(m)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketMeta).Put(metaManifest, seal3(v.aead, js, manifestAAD3()))
}

// partial reports whether an account was loaded in some realms only.
func (set loaded) partial() bool {
	for _, r := range set {
		if r.groups != nil {
			return true
		}
	}
	return false
}

// hintRealms are the realms a realm-hinted read or write may narrow its
// account to: the hint's and the account's home tenant, whose Account
// entry the engine prefers when it makes one Account of several.
func hintRealms(hint cache.Hint) []string {
	if hint.Realm == "" || hint.HomeAccountID == "" {
		return nil
	}
	return []string{hint.Realm, cache.HomeTenant(hint.HomeAccountID)}
}
