package vault_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"acctui/engine/cache"
	"acctui/vault"
)

// active returns the vault's active account or fails the test.
func active(t *testing.T, v *vault.Vault) string {
	t.Helper()
	id, err := v.ActiveAccount(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestActiveAccount(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	v := open(t, opts)
	if id := active(t, v); id != "" {
		t.Fatalf("a vault that does not exist has active account %q", id)
	}
	fill(t, v, 0, 3, 20)
	if id := active(t, v); id != "" {
		t.Fatalf("new vault has active account %q", id)
	}

	// Set with another case: the stored id is the account's own.
	if err := v.SetActiveAccount(ctx, strings.ToUpper(homeID(1))); err != nil {
		t.Fatal(err)
	}
	if id := active(t, open(t, opts)); id != homeID(1) {
		t.Fatalf("another process sees active %q, want %q", id, homeID(1))
	}
	// It is sealed with the vault: no plaintext id anywhere in the directory.
	for path, b := range snapshotDir(t, opts.Dir) {
		if bytes.Contains(b, []byte(homeID(1)[:36])) {
			t.Errorf("%s holds the active account's id in the clear", filepath.Base(path))
		}
	}

	err := v.SetActiveAccount(ctx, homeID(99))
	if !errors.Is(err, vault.ErrUnknownAccount) {
		t.Fatalf("SetActiveAccount(unknown) = %v, want ErrUnknownAccount", err)
	}
	if id := active(t, v); id != homeID(1) {
		t.Fatalf("a refused set changed the active account to %q", id)
	}

	// Writes that leave the account alone keep the mark.
	err = v.Write(ctx, cache.Hint{HomeAccountID: homeID(2)}, func(c *cache.Cache) error {
		c.RemoveAccountData(homeID(2), nil, testClientID, "1")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if id := active(t, v); id != homeID(1) {
		t.Fatalf("removing another account changed active to %q", id)
	}

	// Logging the active account out, as the engine does, clears it.
	err = v.Write(ctx, cache.Hint{HomeAccountID: homeID(1)}, func(c *cache.Cache) error {
		c.RemoveAccountData(homeID(1), nil, testClientID, "1")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if id := active(t, open(t, opts)); id != "" {
		t.Fatalf("after logout the active account is %q", id)
	}
	// Signing in again does not bring the old mark back.
	fill(t, v, 1, 2, 20)
	if id := active(t, v); id != "" {
		t.Fatalf("after a new sign-in the active account is %q", id)
	}

	// A whole-cache Update that drops the account clears it too.
	if err := v.SetActiveAccount(ctx, homeID(0)); err != nil {
		t.Fatal(err)
	}
	err = v.Update(ctx, func(c *cache.Cache) error {
		for _, a := range c.FindAccounts(cache.AccountQuery{HomeAccountID: homeID(0)}) {
			c.RemoveAccount(a)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if id := active(t, v); id != "" {
		t.Fatalf("after Update removed the account the active account is %q", id)
	}

	// Clearing works and is idempotent.
	if err := v.SetActiveAccount(ctx, homeID(1)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := v.SetActiveAccount(ctx, ""); err != nil {
			t.Fatal(err)
		}
		if id := active(t, v); id != "" {
			t.Fatalf("after clearing the active account is %q", id)
		}
	}
}

func TestActiveAccountOfRemovedAccountIsNone(t *testing.T) {
	// A mark left behind by a writer that did not clear it (an older
	// acctui removing the account) names no account.
	ctx := context.Background()
	v := open(t, fileOptions(t))
	fill(t, v, 0, 2, 20)
	err := v.Write(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		return c.SetMetadata("acctui.active_account", []byte(`{"home_account_id":"`+homeID(5)+`"}`), 0)
	})
	if err != nil {
		t.Fatal(err)
	}
	if id := active(t, v); id != "" {
		t.Fatalf("active account of a removed account = %q, want none", id)
	}
}

func TestImportKeepsTheActiveAccount(t *testing.T) {
	// An export of another vault, with its own active account, does not
	// change which account is active here.
	ctx := context.Background()
	other := open(t, fileOptions(t))
	fill(t, other, 0, 3, 20)
	if err := other.SetActiveAccount(ctx, homeID(2)); err != nil {
		t.Fatal(err)
	}
	export := filepath.Join(t.TempDir(), "export.json")
	if err := other.ExportPlaintext(ctx, export); err != nil {
		t.Fatal(err)
	}
	v := open(t, fileOptions(t))
	fill(t, v, 0, 2, 20)
	if err := v.SetActiveAccount(ctx, homeID(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := v.ImportMSAL(ctx, export); err != nil {
		t.Fatal(err)
	}
	if id := active(t, v); id != homeID(1) {
		t.Errorf("after the import the active account is %q, want %q", id, homeID(1))
	}
	fresh := open(t, fileOptions(t))
	if _, err := fresh.ImportMSAL(ctx, export); err != nil {
		t.Fatal(err)
	}
	if id := active(t, fresh); id != "" {
		t.Errorf("a new vault took the file's active account %q", id)
	}
}
