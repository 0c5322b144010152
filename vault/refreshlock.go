package vault

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"
	bolt "go.etcd.io/bbolt"
)

// refreshStripes is how many refresh lock files a vault has. Accounts share
// them by a keyed hash of their home account id, so the files neither name
// accounts nor pile up one per account; two accounts that share a stripe
// merely refresh one after the other.
const refreshStripes = 64

// LockAccount takes the refresh lock of one account, across processes, and
// returns the function that releases it. A caller about to ask the identity
// provider for a new token takes it, reads the vault again (another process
// may have refreshed while it waited) and refreshes only when the token is
// still missing, so many processes that find the same token expiring send
// one request between them. It waits at most Options.LockTimeout and then
// fails with ErrLocked; the caller should then refresh anyway, as it would
// have without the lock. The lock is flock(2) on a file, so a holder that
// dies releases it.
//
// The lock does not exclude vault writes, which have their own lock: a
// refresh holds it across a network call, during which other accounts'
// writes go on.
func (v *Vault) LockAccount(ctx context.Context, homeAccountID string) (unlock func(), err error) {
	path, err := v.refreshLockPath(ctx, homeAccountID)
	if err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	if err := ensureDir(v.opts.Dir); err != nil {
		return nil, err
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("vault: %w", err)
	}
	if st, err := os.Lstat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("vault: %s is not a directory", dir)
	}
	if st, err := os.Lstat(path); err == nil && st.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("vault: the lock file %s is a symbolic link; acctui does not follow it: remove it", path)
	}
	lk := flock.New(path, flock.SetPermissions(0o600), flock.SetFlag(os.O_CREATE|os.O_RDONLY|oNoFollow))
	waitCtx, cancel := context.WithTimeout(ctx, v.opts.LockTimeout)
	defer cancel()
	ok, err := lk.TryLockContext(waitCtx, lockRetry)
	if ok {
		return func() { _ = lk.Unlock() }, nil
	}
	_ = lk.Close()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("vault: waiting for %s: %w", path, ctx.Err())
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("vault: lock %s: %w", path, err)
	}
	return nil, fmt.Errorf("%w: another acctui process is refreshing this account's tokens (waited %s for %s)", ErrLocked, v.opts.LockTimeout, path)
}

// refreshLockPath is the lock file of the account's stripe. The stripe is
// a keyed hash under the vault's lookup key, so the key must be unlocked;
// a vault that does not exist yet has no tokens to refresh and uses stripe
// 0.
func (v *Vault) refreshLockPath(ctx context.Context, homeAccountID string) (string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.dropHeld() // a refresh goes to the network next: let writers in
	kind, err := v.kindOf()
	if err != nil {
		return "", err
	}
	switch kind {
	case kindLegacy:
		err = v.refresh(ctx)
	case kindStore:
		err = v.txStore(ctx, false, func(*bolt.Tx) error { return nil })
	}
	if err != nil {
		return "", err
	}
	stripe := uint64(0)
	if kind != kindNone {
		t := makeTag(v.lookup, "refresh", recordID(homeAccountID))
		stripe = binary.BigEndian.Uint64(t[:8]) % refreshStripes
	}
	return filepath.Join(v.opts.Dir, "refresh-locks", fmt.Sprintf("%02d.lock", stripe)), nil
}
