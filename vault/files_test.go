package vault_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"acctui/engine/cache"
	"acctui/vault"
)

func TestWritableDirIsTightened(t *testing.T) {
	opts := fileOptions(t)
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []os.FileMode{0o777, 0o770, 0o722} {
		if err := os.Chmod(opts.Dir, mode); err != nil {
			t.Fatal(err)
		}
		fill(t, open(t, opts), 0, 1, 10)
		st, err := os.Stat(opts.Dir)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o700 {
			t.Errorf("a %#o vault directory is %#o after a write, want 0700", mode, st.Mode().Perm())
		}
	}
	// A directory only the user can write to is left as it is.
	os.Chmod(opts.Dir, 0o750)
	fill(t, open(t, opts), 1, 2, 10)
	if st, _ := os.Stat(opts.Dir); st.Mode().Perm() != 0o750 {
		t.Errorf("a 0750 directory became %#o", st.Mode().Perm())
	}
}

func TestLockFileLinkIsNotFollowed(t *testing.T) {
	opts := fileOptions(t)
	if err := os.MkdirAll(opts.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// Someone plants the lock file as a link to a file of the user's.
	target := filepath.Join(t.TempDir(), "precious")
	if err := os.Symlink(target, filepath.Join(opts.Dir, vault.FileName+".lock")); err != nil {
		t.Fatal(err)
	}
	err := open(t, opts).Update(context.Background(), func(c *cache.Cache) error { return addAccount(c, 0, 10) })
	if err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Fatalf("write with a linked lock file: %v", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the link's target was created: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(opts.Dir, vault.FileName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a vault was written: %v", err)
	}
}

func TestVaultFileLinkIsRefused(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	fill(t, open(t, opts), 0, 2, 10)
	// The vault file moves elsewhere and a link takes its place, as a
	// dotfiles manager would arrange it.
	elsewhere := filepath.Join(t.TempDir(), "real.acctui")
	link := filepath.Join(opts.Dir, vault.FileName)
	if err := os.Rename(link, elsewhere); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, link); err != nil {
		t.Fatal(err)
	}
	real, _ := os.ReadFile(elsewhere)

	v := open(t, opts)
	calls := map[string]func() error{
		"Read":     func() error { return v.Read(ctx, cache.Hint{}, func(*cache.Cache) error { return nil }) },
		"Accounts": func() error { _, err := v.Accounts(ctx); return err },
		"Update":   func() error { return v.Update(ctx, func(c *cache.Cache) error { return addAccount(c, 5, 10) }) },
		"Write": func() error {
			return v.Write(ctx, cache.Hint{HomeAccountID: homeID(1)}, func(c *cache.Cache) error { return addAccount(c, 1, 10) })
		},
	}
	for name, call := range calls {
		if err := call(); err == nil || !strings.Contains(err.Error(), "symbolic link") {
			t.Errorf("%s on a linked vault file: %v", name, err)
		}
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	if now, _ := os.ReadFile(elsewhere); string(now) != string(real) {
		t.Error("the link's target changed")
	}
}

func TestEmptyKeyringItemsAreRemoved(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	// What a first write on a full disk leaves: an empty item, no vault.
	keyring := filepath.Join(opts.Dir, "keyring")
	if err := os.MkdirAll(keyring, 0o700); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(keyring, "vault-key-00000000000000000000000000000000")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	v := open(t, opts)
	fill(t, v, 0, 1, 10)
	if _, err := os.Stat(empty); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the empty item is still there: %v", err)
	}
	entries, _ := os.ReadDir(keyring)
	if len(entries) != 1 {
		t.Errorf("keyring directory holds %d items, want the one key", len(entries))
	}

	// An empty item that a vault names is damage, not a wrong passphrase.
	if err := os.WriteFile(filepath.Join(keyring, entries[0].Name()), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := open(t, opts).Accounts(ctx)
	if !errors.Is(err, vault.ErrCorrupt) || !strings.Contains(err.Error(), "vault reset") {
		t.Errorf("vault whose key item is empty: %v", err)
	}
}
