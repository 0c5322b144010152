package vault

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Reset starts an empty vault with a new data key and returns where the old
// file went: it is renamed to vault.db.<UTC time>.bak (vault.acctui.<UTC
// time>.bak for format 1 and 2, or format 3's stub) beside the new one,
// never deleted, and its keyring item is left alone, so the old vault
// can still be restored if its key turns up. movedTo is "" when there was no
// file. Reset works on a vault that cannot be opened; that is what it is for.
func (v *Vault) Reset(ctx context.Context) (movedTo string, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	unlock, err := v.lockFile(ctx)
	if err != nil {
		return "", err
	}
	defer unlock()

	// The new key is stored before anything moves, so a keyring that fails
	// (no passphrase, a timeout) leaves everything as it was.
	key, id := newKey()
	dk := dataKey{id: id, key: key}
	if err := v.keys.put(ctx, dk); err != nil {
		return "", err
	}
	if id, err := v.fileKeyID(ctx); err == nil {
		v.keys.forgetKernel(id)
	}
	data := v.dataPath()
	for _, p := range []string{v.path, v.dbPath} {
		to, err := moveAside(p)
		if err != nil {
			return "", err
		}
		if to != "" && (p == data || movedTo == "") {
			movedTo = to
		}
	}
	v.setSnapshot(nil)
	err = v.createStore(ctx, dk, 0, func(tx *bolt.Tx) error {
		return v.apply(tx, manifest{}, loaded{sharedID: {creds: creds{}}}, nil, nil)
	})
	return movedTo, err
}

// moveAside renames path to a backup name beside it and returns that
// name, or "" when there is no file.
func moveAside(path string) (string, error) {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("vault: reset: %w", err)
	}
	to, err := backupName(path, time.Now())
	if err != nil {
		return "", err
	}
	if err := os.Rename(path, to); err != nil {
		return "", fmt.Errorf("vault: reset: %w", err)
	}
	return to, nil
}

// backupName picks vault.acctui.2026-11-27T164500Z.bak, with a counter
// when a reset in the same second already took that name. The caller holds
// the lock, so no other acctui takes the name in between.
func backupName(path string, now time.Time) (string, error) {
	stamp := now.UTC().Format("2006-01-02T150405Z")
	for i := 0; i < 1000; i++ {
		name := fmt.Sprintf("%s.%s.bak", path, stamp)
		if i > 0 {
			name = fmt.Sprintf("%s.%s-%d.bak", path, stamp, i)
		}
		if _, err := os.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			return name, nil
		}
	}
	return "", fmt.Errorf("vault: reset: no free backup name for %s", path)
}

// ChangePassphrase stores the data key again under newPassphrase (file
// backend only); the vault file is not touched. The current passphrase
// (ACCTUI_VAULT_PASSPHRASE or the Passphrase callback) must open the key:
// the kernel keyring cache is not enough to change it. Other backends
// return an error wrapping errors.ErrUnsupported.
func (v *Vault) ChangePassphrase(ctx context.Context, newPassphrase string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	unlock, err := v.lockFile(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	if kind, err := v.kindOf(); err == nil && kind == kindNone {
		return fmt.Errorf("vault: change passphrase: no vault at %s yet", v.dbPath)
	}
	id, err := v.fileKeyID(ctx)
	if err != nil {
		return err
	}
	return v.keys.rewrap(ctx, id, newPassphrase)
}

// fileKeyID reads the id of the data key the vault file is sealed under,
// from the header of a format 1 or 2 file or the meta bucket of a format
// 3 one, without unlocking it.
func (v *Vault) fileKeyID(ctx context.Context) (keyID, error) {
	kind, err := v.kindOf()
	if err != nil {
		return keyID{}, err
	}
	switch kind {
	case kindNone:
		return keyID{}, fmt.Errorf("vault: no vault at %s yet", v.dbPath)
	case kindLegacy:
		hdr, err := readHeader(v.path)
		return hdr.keyID, err
	}
	var id keyID
	err = v.view(ctx, func(tx *bolt.Tx) error {
		id, err = v.storeKeyID(tx)
		return err
	})
	return id, err
}
