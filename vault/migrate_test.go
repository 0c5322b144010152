package vault_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/vault"
)

// TestFormat2VaultIsMigrated opens a vault written by format 2's code
// (testdata/format2: three accounts, an active account and a metadata
// entry, file backend), reads it as it is, and checks that the first write
// converts it to format 3 under the same key with every entry, the active
// account and the metadata kept, and leaves no backup behind once the
// conversion is on disk.
func TestFormat2VaultIsMigrated(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "acctui")
	copyTree(t, filepath.Join("testdata", "format2"), dir)
	opts := vault.Options{Dir: dir, Backend: vault.BackendFile, PassphraseEnv: testPassphraseEnv,
		Getenv: env{testPassphraseEnv: "v1 fixture passphrase"}.get}

	v := open(t, opts)
	st, err := v.Status(ctx)
	if err != nil || st.FormatVersion != 2 || st.Accounts != 3 {
		t.Fatalf("Status of the format 2 vault = %+v, %v", st, err)
	}
	active, err := v.ActiveAccount(ctx)
	if err != nil || active == "" {
		t.Fatalf("ActiveAccount = %q, %v", active, err)
	}
	before := exportDoc(t, v)
	old, _ := os.ReadFile(v.Path())

	err = v.Write(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		return c.SetMetadata("oidc|migration-test", []byte(`{"token_endpoint":"y"}`), time.Now().Add(time.Hour).Unix())
	})
	if err != nil {
		t.Fatal(err)
	}
	file, _ := os.ReadFile(v.Path())
	if bytes.HasPrefix(file, []byte("ACCTUIVT")) {
		t.Fatal("the write left the file in format 2")
	}
	stub, _ := os.ReadFile(filepath.Join(dir, vault.FileName))
	if !bytes.HasPrefix(stub, []byte("ACCTUIVT\x00\x03")) || v.Path() != filepath.Join(dir, vault.DBFileName) {
		t.Errorf("after the conversion %s holds %q and the vault is %s; want a version 3 stub and %s", vault.FileName, stub, v.Path(), vault.DBFileName)
	}
	if _, err := os.Stat(filepath.Join(dir, vault.FileName) + ".v2.bak"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the migration backup is still there: %v", err)
	}
	w := open(t, opts)
	st2, err := w.Status(ctx)
	if err != nil || st2.FormatVersion != 3 || st2.Accounts != 3 || st2.KeyID != st.KeyID || st2.Generation != st.Generation+2 {
		t.Fatalf("Status after the write = %+v, %v (before %+v)", st2, err, st)
	}
	if err := w.CheckRecords(ctx); err != nil {
		t.Fatal(err)
	}
	if got, err := w.ActiveAccount(ctx); err != nil || got != active {
		t.Errorf("active account after the migration: %q, %v, want %q", got, err, active)
	}
	after := exportDoc(t, w)
	for _, section := range []string{"Account", "AccessToken", "RefreshToken", "IdToken", "AppMetadata"} {
		if !bytes.Equal(before[section], after[section]) {
			t.Errorf("section %s changed in the migration", section)
		}
	}
	err = w.Read(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		for _, key := range []string{"oidc|format2-fixture", "oidc|migration-test"} {
			if _, ok := c.Metadata(key, time.Now().Unix()); !ok {
				t.Errorf("metadata %s lost in the migration", key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// What an older acctui does with the new file: its header check
	// refuses it (not an ACCTUIVT file), so it writes nothing over it.
	if bytes.Equal(file[:8], old[:8]) {
		t.Error("the format 3 file starts like a format 2 one")
	}
}

// TestInterruptedMigrationBackupIsRemoved: a conversion killed after its
// rename leaves vault.acctui.v2.bak; the next write removes it.
func TestInterruptedMigrationBackupIsRemoved(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	v := open(t, opts)
	fill(t, v, 0, 2, 10)
	bak := filepath.Join(opts.Dir, vault.FileName) + ".v2.bak"
	if err := os.WriteFile(bak, []byte("ACCTUIVT left over"), 0o600); err != nil {
		t.Fatal(err)
	}
	fill(t, v, 2, 3, 10)
	if _, err := os.Stat(bak); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the leftover backup is still there: %v", err)
	}
	if got, err := v.Accounts(ctx); err != nil || len(got) != 3 {
		t.Errorf("Accounts = %d, %v", len(got), err)
	}
}
