package vault

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// migrationBackup is where a format 1 or 2 file is kept while it is
// converted: a hard link made before the new file replaces it, removed
// once the new file and its rename are on disk.
func (v *Vault) migrationBackup() string { return v.path + ".v2.bak" }

// prepareWrite readies the vault for a write under the lock file: a format
// 1 or 2 file is converted to format 3 (and kindStore returned), no file
// gives kindNone. A leftover migration backup of a conversion that did
// finish is removed.
func (v *Vault) prepareWrite(ctx context.Context) (fileKind, error) {
	kind, err := v.kindOf()
	if err != nil {
		return kind, err
	}
	switch kind {
	case kindLegacy:
		if err := v.migrate(ctx); err != nil {
			return kind, err
		}
		return kindStore, nil
	case kindStore:
		if _, err := os.Lstat(v.migrationBackup()); err == nil {
			os.Remove(v.migrationBackup())
		}
		// a first write that died before its stub
		if err := v.writeStub(); err != nil {
			return kind, err
		}
	}
	return kind, nil
}

// migrate converts the format 1 or 2 file to format 3 under the same data
// key: every record is read (and authenticated) through the old code, and
// vault.db written; only once it is durable does the stub replace the old
// file, so a crash leaves the old vault or the new one. Until then the old
// file is also kept as vault.acctui.v2.bak. The caller holds the lock file.
func (v *Vault) migrate(ctx context.Context) error {
	if err := v.refresh(ctx); err != nil {
		return err
	}
	c, err := v.loadCache(nil)
	if err != nil {
		return err
	}
	doc, err := c.Marshal()
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	frags, err := splitCache(doc)
	if err != nil {
		return err
	}
	gen := v.snap.hdr.generation
	if err := v.keepOtherDB(ctx, v.snap.hdr.keyID); err != nil {
		return err
	}
	bak := v.migrationBackup()
	if err := os.Remove(bak); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("vault: migrate: %w", err)
	}
	if err := os.Link(v.path, bak); err != nil {
		// a file system without hard links: a copy, synced
		if err := copyFile(v.path, bak); err != nil {
			return fmt.Errorf("vault: migrate: keeping the old file as %s: %w", bak, err)
		}
	}
	if err := syncDir(filepath.Dir(v.path)); err != nil {
		return err
	}
	err = v.createStore(ctx, *v.key, fragsSize(frags), func(tx *bolt.Tx) error {
		return v.apply(tx, manifest{Generation: gen}, loaded{sharedID: {creds: creds{}}}, nil, frags)
	})
	if err != nil {
		return err
	}
	v.setSnapshot(nil)
	os.Remove(bak)
	return syncDir(filepath.Dir(v.path))
}

// createNew starts a format 3 file holding frags under a new data key,
// stored in the keyring before any file refers to it. The caller holds the
// lock file and has seen no vault file.
func (v *Vault) createNew(ctx context.Context, frags map[string][]byte) error {
	key, id := newKey()
	dk := dataKey{id: id, key: key}
	if err := v.keys.put(ctx, dk); err != nil {
		return err
	}
	return v.createStore(ctx, dk, fragsSize(frags), func(tx *bolt.Tx) error {
		return v.apply(tx, manifest{}, loaded{sharedID: {creds: creds{}}}, nil, frags)
	})
}

// keepOtherDB moves aside a vault.db that a conversion would replace unless
// it is a conversion of this very file that died before its stub (the same
// data key): an older acctui's `vault reset` moves only the stub aside and
// starts a format 2 file, and the vault.db it left is not thrown away.
func (v *Vault) keepOtherDB(ctx context.Context, id keyID) error {
	if _, err := os.Lstat(v.dbPath); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	var dbID keyID
	err := v.view(ctx, func(tx *bolt.Tx) error {
		var err error
		dbID, err = v.storeKeyID(tx)
		return err
	})
	if err == nil && dbID == id {
		return nil
	}
	name, err := backupName(v.dbPath, time.Now())
	if err != nil {
		return err
	}
	if err := os.Rename(v.dbPath, name); err != nil {
		return fmt.Errorf("vault: migrate: moving the other %s aside: %w", v.dbPath, err)
	}
	return nil
}

// copyFile copies src to a new file dst, 0600, and syncs it.
func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL|oNoFollow, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(dst)
	}
	return err
}

// fragsSize is about what a file of frags takes: their bytes, and as much
// again for keys, summaries and sealing.
func fragsSize(frags map[string][]byte) int64 {
	n := int64(0)
	for _, f := range frags {
		n += int64(len(f))
	}
	return 2 * n
}
