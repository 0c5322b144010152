package vault

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// Reset starts an empty vault with a new data key and returns where the old
// file went: it is renamed to vault.acctui.<UTC time>.bak beside the new
// one, never deleted, and its keyring item is left alone, so the old vault
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
	if hdr, err := readHeader(v.path); err == nil {
		v.keys.forgetKernel(hdr.keyID)
	}
	if _, err := os.Lstat(v.path); err == nil {
		movedTo, err = backupName(v.path, time.Now())
		if err != nil {
			return "", err
		}
		if err := os.Rename(v.path, movedTo); err != nil {
			return "", fmt.Errorf("vault: reset: %w", err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("vault: reset: %w", err)
	}
	v.setSnapshot(&snapshot{})
	if err := v.useKey(dk); err != nil {
		return movedTo, err
	}
	if err := v.writeVault(dk, 1, nil, true); err != nil {
		return movedTo, err
	}
	return movedTo, nil
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
	hdr, err := readHeader(v.path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("vault: change passphrase: no vault at %s yet", v.path)
	}
	if err != nil {
		return err
	}
	return v.keys.rewrap(ctx, hdr.keyID, newPassphrase)
}
