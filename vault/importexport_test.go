package vault_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"acctui/engine/cache"
	"acctui/vault"
)

func TestImportNeverDropsAnAccount(t *testing.T) {
	ctx := context.Background()
	v := open(t, fileOptions(t))
	fill(t, v, 0, 2, 20)

	rep, err := v.ImportMSAL(ctx, filepath.Join("testdata", "azure_cli_msal_token_cache.json"))
	if err != nil {
		t.Fatal(err)
	}
	if rep.AccountsInFile != 2 || rep.AccountsBefore != 2 || rep.AccountsAfter != 4 || rep.Imported.RefreshTokens != 2 {
		t.Errorf("report %+v", rep)
	}
	// Importing again changes nothing and loses nothing.
	rep, err = v.ImportMSAL(ctx, filepath.Join("testdata", "azure_cli_msal_token_cache.json"))
	if err != nil || rep.AccountsBefore != 4 || rep.AccountsAfter != 4 {
		t.Errorf("second import: %+v, %v", rep, err)
	}
	// An import of an empty cache does not drop anything either.
	empty := filepath.Join(t.TempDir(), "empty.json")
	os.WriteFile(empty, []byte("{}"), 0o600)
	if rep, err := v.ImportMSAL(ctx, empty); err != nil || rep.AccountsAfter != 4 {
		t.Errorf("empty import: %+v, %v", rep, err)
	}
	got := usernames(t, v)
	for _, want := range []string{username(0), username(1), "alice@contoso.example", "bob@fabrikam.example"} {
		if !slices.Contains(got, want) {
			t.Errorf("%s missing after import: %v", want, got)
		}
	}
	// The shared record took the app-only token, the app metadata and the
	// unknown section; the Azure CLI would find them again after an export.
	var c2 *cache.Cache
	out := filepath.Join(t.TempDir(), "out.json")
	if err := v.ExportPlaintext(ctx, out); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	if c2, err = cache.Parse(data); err != nil {
		t.Fatal(err)
	}
	if n := c2.Counts(); n.Accounts != 4 || n.AccessTokens != 4 || n.AppMetadata != 1 {
		t.Errorf("exported counts %+v", n)
	}
	var doc map[string]any
	if err := jsonUnmarshal(data, &doc); err != nil || doc["SomeOtherTool"] == nil {
		t.Errorf("unknown section lost: %v", err)
	}
}

func TestExportPlaintext(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	v := open(t, opts)
	fill(t, v, 0, 3, 30)
	path := filepath.Join(t.TempDir(), "msal_token_cache.json")
	if err := v.ExportPlaintext(ctx, path); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("export mode %v, want 0600", info.Mode().Perm())
	}
	first, _ := os.ReadFile(path)
	if err := v.ExportPlaintext(ctx, path); !errors.Is(err, os.ErrExist) {
		t.Errorf("second export over the file: %v, want it refused", err)
	}
	if again, _ := os.ReadFile(path); string(again) != string(first) {
		t.Error("a refused export changed the file")
	}

	// Round trip: the export imported into a new vault exports the same.
	w := open(t, fileOptions(t))
	if _, err := w.ImportMSAL(ctx, path); err != nil {
		t.Fatal(err)
	}
	path2 := filepath.Join(t.TempDir(), "again.json")
	if err := w.ExportPlaintext(ctx, path2); err != nil {
		t.Fatal(err)
	}
	if second, _ := os.ReadFile(path2); string(second) != string(first) {
		t.Error("export → import → export is not the same file")
	}
}

func TestChangePassphrase(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	v := open(t, opts)
	fill(t, v, 0, 2, 20)
	before, _ := os.ReadFile(v.Path())

	if err := v.ChangePassphrase(ctx, "a new passphrase"); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(v.Path()); string(after) != string(before) {
		t.Fatal("changing the passphrase touched the vault file")
	}
	newOpts := opts
	newOpts.Getenv = env{testPassphraseEnv: "a new passphrase"}.get
	if got := usernames(t, open(t, newOpts)); len(got) != 2 {
		t.Errorf("new passphrase: %v", got)
	}
	err := open(t, opts).Read(ctx, cache.Hint{}, func(*cache.Cache) error { return nil })
	if !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Errorf("old passphrase: %v, want ErrWrongPassphrase", err)
	}
	entries, _ := os.ReadDir(filepath.Join(opts.Dir, "keyring"))
	if len(entries) != 1 {
		t.Errorf("keyring dir holds %d items, want 1", len(entries))
	}
	// The old passphrase cannot change it back.
	if err := open(t, opts).ChangePassphrase(ctx, "x"); !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Errorf("change with the old passphrase: %v", err)
	}
}
