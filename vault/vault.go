package vault

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"acctui/engine/cache"
	bolt "go.etcd.io/bbolt"
)

// Vault is the encrypted token cache file of one directory. Its methods are
// safe for concurrent use, and several processes may use the same vault at
// once: writers serialise on the lock file and reload what another process
// wrote. A Vault keeps what it decrypted in memory, so repeated reads (the
// TUI's) cost a stat when nothing changed on disk.
//
// Vault implements the engine's CacheStore.
type Vault struct {
	opts     Options
	path     string // vault.acctui: a format 1 or 2 file, or format 3's stub
	dbPath   string // vault.db: the format 3 database
	lockPath string
	keys     keyStore

	mu     sync.Mutex
	snap   *snapshot           // the file as last read; nil before the first look
	key    *dataKey            // the unlocked key of snap's key id
	aead   cipher.AEAD         // AES-256-GCM under key
	lookup []byte              // the key of the tags, derived from key
	plain  map[tag]plainRecord // decrypted records by tag
	guard  guardState          // pathguard.go
	held   heldStore           // readhold.go

	// decrypts counts index and record decryptions, so tests can see what a
	// read touched.
	decrypts atomic.Int64
	// opens counts opens of the format 3 file, so tests can see how many
	// transactions' worth of opening a command paid.
	opens atomic.Int64
}

// snapshot is one version of the vault file, held open: a rename by
// another writer does not change what it reads.
type snapshot struct {
	exists bool
	f      *os.File
	info   fs.FileInfo
	hdr    header
	hdrRaw []byte
	idx    *index
	base   int64 // file offset of the record area
}

// plainRecord is a decrypted record and the nonce it was sealed with; it
// stands for the record as long as the index lists that nonce. parsed is
// the record as a cache, made when first needed and never handed out:
// callers get a cache merged from copies.
type plainRecord struct {
	nonce  [nonceSize]byte
	data   []byte
	parsed *cache.Cache
}

// Open prepares the vault described by opts. It does no I/O: the first
// call that needs the file or the keyring opens them, so that Status and
// Reset work on a vault that cannot be unlocked, and a command that never
// touches the vault costs nothing. ctx is only checked for cancellation.
func Open(ctx context.Context, opts Options) (*Vault, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("vault: open: %w", err)
	}
	collectionSet := opts.Collection != ""
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	v := &Vault{
		opts:  o,
		path:  filepath.Join(o.Dir, FileName),
		plain: map[tag]plainRecord{},
	}
	v.dbPath = filepath.Join(o.Dir, DBFileName)
	v.lockPath = v.path + ".lock"
	v.keys = keyStore{opts: &v.opts, wallet: "kdewallet"}
	if collectionSet {
		v.keys.wallet = o.Collection
	}
	return v, nil
}

// Path returns the path of the file that holds the vault: vault.db, or
// vault.acctui while that is a format 1 or 2 file not yet converted.
func (v *Vault) Path() string { return v.dataPath() }

// Close releases the file the Vault holds open and forgets what it
// decrypted. The Vault can be used again afterwards; it reopens the file.
func (v *Vault) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.dropHeld()
	v.setSnapshot(nil)
	v.key, v.aead, v.lookup = nil, nil, nil
	clear(v.plain)
	return nil
}

// Read runs fn with the cache as it is on disk: the hinted account's entries
// and the shared ones when hint.HomeAccountID is set, else the whole cache.
// It takes no lock and decrypts only what the hint needs; it rereads the
// file only when another writer replaced it. Changes fn makes are not saved.
func (v *Vault) Read(ctx context.Context, hint cache.Hint, fn func(*cache.Cache) error) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	c, err := v.readCache(ctx, selection(hint), hintRealms(hint)...)
	if err != nil {
		return err
	}
	return fn(c)
}

// readCache returns the selected records as one cache, from whichever
// format the file has, narrowed to realms where it can be (hintRealms).
// The caller holds mu.
func (v *Vault) readCache(ctx context.Context, only *string, realms ...string) (*cache.Cache, error) {
	kind, err := kindStore, error(nil)
	if v.held.db == nil { // a kept store was a format 3 file, still locked
		kind, err = v.kindOf()
	}
	if err != nil {
		return nil, err
	}
	switch kind {
	case kindNone:
		v.setSnapshot(&snapshot{})
		return cache.New(), nil
	case kindLegacy:
		err := v.refresh(ctx)
		if errors.Is(err, ErrCorrupt) {
			// another process may have converted the file since kindOf
			if k, kerr := v.kindOf(); kerr == nil && k == kindStore {
				return v.readCache(ctx, only, realms...)
			}
		}
		if err != nil {
			return nil, err
		}
		return v.loadCache(only)
	}
	v.setSnapshot(nil)
	var set loaded
	err = v.txStore(ctx, false, func(tx *bolt.Tx) error {
		var err error
		set, _, err = v.loadStore(tx, only, realms...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return set.cache(v.path)
}

// Write runs fn under the lock with the hinted account's entries and the
// shared ones (the whole cache when hint.HomeAccountID is empty) and saves
// what fn changed. Only the records whose content changed are sealed again;
// entries fn adds for other accounts are merged into their records.
func (v *Vault) Write(ctx context.Context, hint cache.Hint, fn func(*cache.Cache) error) error {
	return v.modify(ctx, selection(hint), hintRealms(hint), fn)
}

// Update runs fn with the whole cache under the lock and saves what it
// changed. Accounts fn removes are removed from the file.
func (v *Vault) Update(ctx context.Context, fn func(*cache.Cache) error) error {
	return v.modify(ctx, nil, nil, fn)
}

// selection turns a hint into the account record it selects (the shared
// record is always loaded); nil means every record.
func selection(hint cache.Hint) *string {
	if hint.Shared && hint.HomeAccountID == "" {
		id := sharedID
		return &id
	}
	if hint.HomeAccountID == "" {
		return nil
	}
	id := recordID(hint.HomeAccountID)
	return &id
}

// modify is the read-modify-write behind Write and Update. fn's errors are
// returned as they are, so callers can branch on their own errors. A
// format 1 or 2 file is converted to format 3 first (migrate.go).
func (v *Vault) modify(ctx context.Context, only *string, realms []string, fn func(*cache.Cache) error) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	unlock, err := v.lockFile(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	kind, err := v.prepareWrite(ctx)
	if err != nil {
		return err
	}
	if kind == kindNone {
		c := cache.New()
		if err := fn(c); err != nil {
			return err
		}
		frags, err := fragmentsOf(c, only, false)
		if err != nil || len(frags) == 0 {
			return err
		}
		return v.createNew(ctx, frags)
	}
	return v.txStore(ctx, true, func(tx *bolt.Tx) error {
		set, m, err := v.loadStore(tx, only, realms...)
		if err != nil {
			return err
		}
		c, err := set.cache(v.path)
		if err != nil {
			return err
		}
		if err := fn(c); err != nil {
			return err
		}
		if !c.HasStateChanged() {
			return errNoChange
		}
		frags, err := fragmentsOf(c, only, set.partial())
		if err != nil {
			return err
		}
		return v.apply(tx, m, set, only, frags)
	})
}

// fragmentsOf cuts a changed cache into records, dropping the mark of an
// active account the change removed (unless the cache held only some of
// its realms: whether others still have an Account entry is unknown, and
// ActiveAccount checks the account anyway).
func fragmentsOf(c *cache.Cache, only *string, partial bool) (map[string][]byte, error) {
	if !partial {
		clearStaleActive(c, only)
	}
	doc, err := c.Marshal()
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	return splitCache(doc)
}
