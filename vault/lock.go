package vault

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/gofrs/flock"
)

// lockRetry is how often a waiting writer tries the lock again.
const lockRetry = 2 * time.Millisecond

// lockFile takes the vault's lock file, waiting at most Options.LockTimeout,
// and returns the function that releases it. The lock is an advisory
// flock(2) lock, so a writer that dies releases it with its last file
// descriptor and a stale lock file never blocks anyone.
func (v *Vault) lockFile(ctx context.Context) (unlock func(), err error) {
	if err := ensureDir(v.opts.Dir); err != nil {
		return nil, err
	}
	if st, err := os.Lstat(v.lockPath); err == nil && st.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("vault: the lock file %s is a symbolic link; acctui does not follow it: remove it", v.lockPath)
	}
	// O_NOFOLLOW closes the gap between that look and the open.
	lk := flock.New(v.lockPath, flock.SetPermissions(0o600), flock.SetFlag(os.O_CREATE|os.O_RDONLY|oNoFollow))
	waitCtx, cancel := context.WithTimeout(ctx, v.opts.LockTimeout)
	defer cancel()
	ok, err := lk.TryLockContext(waitCtx, lockRetry)
	if ok {
		return func() { _ = lk.Unlock() }, nil
	}
	_ = lk.Close()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("vault: waiting for %s: %w", v.lockPath, ctx.Err())
	}
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("vault: lock %s: %w", v.lockPath, err)
	}
	return nil, fmt.Errorf("%w: %s is held by another acctui process (waited %s)", ErrLocked, v.lockPath, v.opts.LockTimeout)
}
