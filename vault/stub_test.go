package vault_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/vault"
)

// writeMeta is a small write through the shared record.
func writeMeta(t *testing.T, v *vault.Vault) {
	t.Helper()
	err := v.Write(context.Background(), cache.Hint{Shared: true}, func(c *cache.Cache) error {
		return c.SetMetadata("oidc|stub-test", []byte(`{"token_endpoint":"y"}`), time.Now().Add(time.Hour).Unix())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStubCrashStates walks the states a crash can leave between vault.db
// and the stub at vault.acctui, and what an older acctui's reset leaves.
func TestStubCrashStates(t *testing.T) {
	ctx := context.Background()
	format2 := func(t *testing.T) vault.Options {
		dir := filepath.Join(t.TempDir(), "acctui")
		copyTree(t, filepath.Join("testdata", "format2"), dir)
		return vault.Options{Dir: dir, Backend: vault.BackendFile, PassphraseEnv: testPassphraseEnv,
			Getenv: env{testPassphraseEnv: "v1 fixture passphrase"}.get}
	}

	// A conversion that died after vault.db was durable and before the stub
	// replaced the old file: the old file is the vault, and the next write
	// converts again over vault.db (same key: nothing is moved aside).
	t.Run("conversion-died-before-the-stub", func(t *testing.T) {
		opts := format2(t)
		old, _ := os.ReadFile(filepath.Join(opts.Dir, vault.FileName))
		writeMeta(t, open(t, opts))
		if err := os.WriteFile(filepath.Join(opts.Dir, vault.FileName), old, 0o600); err != nil {
			t.Fatal(err)
		}
		v := open(t, opts)
		if st, err := v.Status(ctx); err != nil || st.FormatVersion != 2 || st.Accounts != 3 || st.Path != filepath.Join(opts.Dir, vault.FileName) {
			t.Fatalf("Status = %+v, %v; want the format 2 file", st, err)
		}
		writeMeta(t, v)
		if st, err := open(t, opts).Status(ctx); err != nil || st.FormatVersion != 3 || st.Accounts != 3 {
			t.Errorf("after the write: %+v, %v", st, err)
		}
		if baks, _ := filepath.Glob(filepath.Join(opts.Dir, vault.DBFileName+".*.bak")); len(baks) != 0 {
			t.Errorf("a conversion of the same file moved vault.db aside: %v", baks)
		}
	})

	// An older acctui's `vault reset` moves only the stub aside and starts a
	// format 2 file under a new key: the conversion keeps the vault.db it
	// finds, moved aside with its bytes.
	t.Run("older-reset-left-a-vault-db", func(t *testing.T) {
		other := fileOptions(t)
		fill(t, open(t, other), 0, 2, 10)
		foreign, _ := os.ReadFile(filepath.Join(other.Dir, vault.DBFileName))
		opts := format2(t)
		if err := os.WriteFile(filepath.Join(opts.Dir, vault.DBFileName), foreign, 0o600); err != nil {
			t.Fatal(err)
		}
		v := open(t, opts)
		writeMeta(t, v)
		baks, _ := filepath.Glob(filepath.Join(opts.Dir, vault.DBFileName+".*.bak"))
		if len(baks) != 1 {
			t.Fatalf("backups of the other vault.db: %v", baks)
		}
		if got, _ := os.ReadFile(baks[0]); !bytes.Equal(got, foreign) {
			t.Error("the other vault.db was not kept as it was")
		}
		if got, err := open(t, opts).Accounts(ctx); err != nil || len(got) != 3 {
			t.Errorf("Accounts after the conversion = %d, %v", len(got), err)
		}
	})

	// A new vault whose first write died after vault.db and before the stub:
	// it opens, and the next write puts the stub in place.
	t.Run("new-vault-without-its-stub", func(t *testing.T) {
		opts := fileOptions(t)
		fill(t, open(t, opts), 0, 2, 10)
		stubPath := filepath.Join(opts.Dir, vault.FileName)
		stub, _ := os.ReadFile(stubPath)
		os.Remove(stubPath)
		v := open(t, opts)
		if got, err := v.Accounts(ctx); err != nil || len(got) != 2 {
			t.Fatalf("Accounts without the stub = %d, %v", len(got), err)
		}
		fill(t, v, 2, 3, 10)
		if got, err := os.ReadFile(stubPath); err != nil || !bytes.Equal(got, stub) {
			t.Errorf("the write did not restore the stub: %q, %v", got, err)
		}
	})

	// A stub whose vault.db is gone is damage, named, and nothing is written.
	t.Run("stub-without-vault-db", func(t *testing.T) {
		opts := fileOptions(t)
		fill(t, open(t, opts), 0, 2, 10)
		if err := os.Rename(filepath.Join(opts.Dir, vault.DBFileName), filepath.Join(t.TempDir(), "elsewhere")); err != nil {
			t.Fatal(err)
		}
		before := snapshotDir(t, opts.Dir)
		v := open(t, opts)
		_, err := v.Accounts(ctx)
		if !errors.Is(err, vault.ErrCorrupt) || !strings.Contains(err.Error(), vault.DBFileName) {
			t.Errorf("Accounts = %v; want ErrCorrupt naming %s", err, vault.DBFileName)
		}
		err = v.Update(ctx, func(c *cache.Cache) error { return addAccount(c, 5, 10) })
		if !errors.Is(err, vault.ErrCorrupt) {
			t.Errorf("Update = %v; want ErrCorrupt", err)
		}
		sameDir(t, opts.Dir, before)
	})
}
