//go:build unix

package vault_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/internal/lockprobe"
	"acctui/vault"
)

// TestHeldFileLetsWritesIn: while one read's open is kept for the next,
// bbolt's shared lock keeps writers out; every way the hold ends lets them
// in. The test asks for the exclusive lock a writer takes, without
// waiting, as another process would.
func TestHeldFileLetsWritesIn(t *testing.T) {
	ctx := context.Background()
	const control = "nothing (the control: writers are kept out)"
	ends := map[string]func(t *testing.T, v *vault.Vault){
		control:         func(*testing.T, *vault.Vault) {},
		"the next read": func(t *testing.T, v *vault.Vault) { readToken(t, v, 2) },
		"ReleaseHeld":   func(_ *testing.T, v *vault.Vault) { v.ReleaseHeld() },
		"Close":         func(_ *testing.T, v *vault.Vault) { v.Close() },
		"LockAccount": func(t *testing.T, v *vault.Vault) {
			unlock, err := v.LockAccount(ctx, homeID(1))
			if err != nil {
				t.Fatal(err)
			}
			unlock()
		},
		// a hold asked for and not used yet must not outlive the lock's
		// own read, which a refresh's network call follows
		"LockAccount before any read": func(t *testing.T, v *vault.Vault) {
			v.ReleaseHeld()
			v.KeepOpenForNextRead()
			unlock, err := v.LockAccount(ctx, homeID(1))
			if err != nil {
				t.Fatal(err)
			}
			unlock()
		},
		"a write of its own": func(t *testing.T, v *vault.Vault) {
			err := v.Write(ctx, cache.Hint{HomeAccountID: homeID(0)}, func(c *cache.Cache) error { return addAccount(c, 0, 40) })
			if err != nil {
				t.Fatal("the holder's own write:", err)
			}
		},
	}
	for name, end := range ends {
		t.Run(name, func(t *testing.T) {
			opts := fileOptions(t)
			opts.LockTimeout = 200 * time.Millisecond // only a broken hold waits for it
			fill(t, open(t, opts), 0, 3, 40)
			v := open(t, opts)
			v.KeepOpenForNextRead()
			resolveThenRead(t, v, 1) // the two reads spend the hold
			if !exclusiveLockFree(t, filepath.Join(opts.Dir, vault.DBFileName)) {
				t.Fatal("the file is still locked after the hold was spent")
			}
			v.KeepOpenForNextRead()
			readToken(t, v, 1) // keeps the file open
			end(t, v)
			if free := exclusiveLockFree(t, filepath.Join(opts.Dir, vault.DBFileName)); free != (name != control) {
				t.Errorf("after %s a writer could lock the file: %v", name, free)
			}
		})
	}
}

// exclusiveLockFree reports whether a writer could take path's lock now.
func exclusiveLockFree(t *testing.T, path string) bool {
	t.Helper()
	free, err := lockprobe.WriterCouldLock(path)
	if err != nil {
		t.Fatal(err)
	}
	return free
}
