package vault_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/vault"
)

// TestFormat1VaultIsReadAndRewritten opens a vault written by the first
// format (testdata/format1: three accounts imported from an MSAL cache,
// file backend) and checks that everything reads, that the next write
// turns it into the current format, and that no entry changes on the way.
func TestFormat1VaultIsReadAndRewritten(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "acctui")
	copyTree(t, filepath.Join("testdata", "format1"), dir)
	opts := vault.Options{Dir: dir, Backend: vault.BackendFile, PassphraseEnv: testPassphraseEnv,
		Getenv: env{testPassphraseEnv: "v1 fixture passphrase"}.get}
	users := []string{"alice@contoso.example", "user0001@contoso.example", "user0002@contoso.example"}

	v := open(t, opts)
	st, err := v.Status(ctx)
	if err != nil || st.FormatVersion != 1 || st.Accounts != 3 {
		t.Fatalf("Status = %+v, %v", st, err)
	}
	before := exportDoc(t, v)
	found, err := v.ResolveAccount(ctx, "USER0001@contoso.example")
	if err != nil || len(found) != 1 || found[0].Usernames[0] != users[1] {
		t.Fatalf("ResolveAccount in a version 1 vault = %+v, %v", found, err)
	}
	home := found[0].HomeAccountID
	hinted := 0
	err = v.Read(ctx, cache.Hint{HomeAccountID: home}, func(c *cache.Cache) error {
		hinted = c.Counts().AccessTokens
		return nil
	})
	if err != nil || hinted != 1 {
		t.Fatalf("hinted read: %d access tokens, %v", hinted, err)
	}

	// A write that touches only the shared record rewrites every record.
	err = v.Write(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		return c.SetMetadata("oidc|format-test", []byte(`{"token_endpoint":"x"}`), time.Now().Add(time.Hour).Unix())
	})
	if err != nil {
		t.Fatal(err)
	}
	w := open(t, opts)
	st, err = w.Status(ctx)
	// The write converted the file (generation 2) and wrote (3).
	if err != nil || st.FormatVersion != 3 || st.Accounts != 3 || st.Generation != 3 {
		t.Fatalf("Status after the write = %+v, %v", st, err)
	}
	if err := w.CheckRecords(ctx); err != nil {
		t.Fatal(err)
	}
	list, err := w.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range list {
		got = append(got, a.Usernames...)
	}
	slices.Sort(got)
	if !slices.Equal(got, users) {
		t.Errorf("accounts after the rewrite: %v", got)
	}
	after := exportDoc(t, w)
	for _, section := range []string{"Account", "AccessToken", "RefreshToken", "IdToken", "AppMetadata"} {
		if !bytes.Equal(before[section], after[section]) {
			t.Errorf("section %s changed in the rewrite", section)
		}
	}
}

// TestResolveAccountFoldsCase: a username or home account id resolves
// whatever its case, by strings.EqualFold's rules (not only ASCII), and a
// username shared by two accounts gives both.
func TestResolveAccountFoldsCase(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	v := open(t, opts)
	fill(t, v, 0, 5, 20)
	greek := "ςοφια@contoso.example" // final sigma: EqualFold to Σ and σ
	err := v.Update(ctx, func(c *cache.Cache) error {
		for _, a := range []cache.Account{
			{HomeAccountID: homeID(10), Environment: testEnv, Realm: testTenant, Username: greek, AuthorityType: cache.AuthorityTypeMSSTS},
			// a guest account under the same username as account 3
			{HomeAccountID: homeID(11), Environment: testEnv, Realm: testTenant, Username: strings.ToUpper(username(3)), AuthorityType: cache.AuthorityTypeMSSTS},
		} {
			if err := c.SaveAccount(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	r := open(t, opts)
	cases := []struct {
		name string
		want []string
	}{
		{strings.ToUpper(username(2)), []string{homeID(2)}},
		{strings.ToUpper(homeID(4)), []string{homeID(4)}},
		{"ΣΟΦΙΑ@CONTOSO.EXAMPLE", []string{homeID(10)}},
		{"σοφια@contoso.example", []string{homeID(10)}},
		{username(3), []string{homeID(3), homeID(11)}},
		{"nobody@contoso.example", nil},
		{"", nil},
	}
	for _, tc := range cases {
		found, err := r.ResolveAccount(ctx, tc.name)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, s := range found {
			ids = append(ids, s.HomeAccountID)
		}
		if !slices.Equal(ids, tc.want) {
			t.Errorf("ResolveAccount(%q) = %v, want %v", tc.name, ids, tc.want)
		}
	}
}

// TestDamagedSummary: an account's summary is needed to list accounts and
// to read that account, so a damaged one fails listing with ErrCorrupt
// while the token path of another account (resolve, hinted read) still
// works, and nothing is rewritten.
func TestDamagedSummary(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	v := open(t, opts)
	fill(t, v, 0, 4, 30)
	off, n, ok := v.SummarySpan(strings.ToLower(homeID(0)))
	if !ok {
		t.Fatal("no summary")
	}
	file, err := os.ReadFile(v.Path())
	if err != nil {
		t.Fatal(err)
	}
	file[off+n/2] ^= 0x20
	if err := os.WriteFile(v.Path(), file, 0o600); err != nil {
		t.Fatal(err)
	}
	before := snapshotDir(t, filepath.Dir(opts.Dir))

	w := open(t, opts)
	if _, err := w.Accounts(ctx); !errors.Is(err, vault.ErrCorrupt) {
		t.Errorf("Accounts: %v, want ErrCorrupt", err)
	}
	if _, err := w.Status(ctx); !errors.Is(err, vault.ErrCorrupt) {
		t.Errorf("Status: %v, want ErrCorrupt", err)
	}
	err = w.Update(ctx, func(c *cache.Cache) error { return addAccount(c, 9, 10) })
	if !errors.Is(err, vault.ErrCorrupt) {
		t.Errorf("adding an account: %v, want ErrCorrupt", err)
	}
	found, err := w.ResolveAccount(ctx, username(2))
	if err != nil || len(found) != 1 {
		t.Errorf("ResolveAccount: %+v, %v", found, err)
	}
	err = w.Read(ctx, cache.Hint{HomeAccountID: homeID(2)}, func(c *cache.Cache) error {
		if c.Counts().AccessTokens != 1 {
			t.Errorf("hinted read got %d access tokens", c.Counts().AccessTokens)
		}
		return nil
	})
	if err != nil {
		t.Errorf("hinted read: %v", err)
	}
	sameDir(t, filepath.Dir(opts.Dir), before)
}

// exportDoc exports v and returns its sections.
func exportDoc(t *testing.T, v *vault.Vault) map[string][]byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "export.json")
	if err := v.ExportPlaintext(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := jsonUnmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for k, v := range doc {
		out[k] = v
	}
	return out
}

// copyTree copies the regular files under src to dst, private.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}
