package vault_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/vault"
)

// The vault is the engine's cache store; it must not import the engine.
var _ engine.CacheStore = (*vault.Vault)(nil)

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	v := open(t, opts)
	fill(t, v, 0, 3, 100)

	info, err := os.Stat(v.Path())
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("vault file mode %v, want 0600", info.Mode().Perm())
	}
	dinfo, err := os.Stat(opts.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if dinfo.Mode().Perm() != 0o700 {
		t.Errorf("vault dir mode %v, want 0700", dinfo.Mode().Perm())
	}

	// A second Vault (another process, as far as the file knows) sees it all.
	w := open(t, opts)
	if got, want := usernames(t, w), []string{username(0), username(1), username(2)}; !slices.Equal(got, want) {
		t.Fatalf("usernames %v, want %v", got, want)
	}
	err = w.Read(ctx, cache.Hint{HomeAccountID: strings.ToUpper(homeID(1))}, func(c *cache.Cache) error {
		accounts := c.Accounts()
		if len(accounts) != 1 || accounts[0].Username != username(1) {
			t.Errorf("hinted read: accounts %v", accounts)
		}
		if n := c.Counts().AppMetadata; n != 1 {
			t.Errorf("hinted read: %d app metadata entries, want the shared one", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	accounts, err := w.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(accounts) != 3 || accounts[0].HomeAccountID != homeID(0) ||
		!slices.Equal(accounts[0].Usernames, []string{username(0)}) ||
		!slices.Equal(accounts[0].Realms, []string{testTenant}) ||
		!slices.Equal(accounts[0].Environments, []string{testEnv}) {
		t.Errorf("Accounts = %+v", accounts)
	}
	for _, q := range []string{strings.ToUpper(username(2)), homeID(2)} {
		got, err := w.ResolveAccount(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].HomeAccountID != homeID(2) {
			t.Errorf("ResolveAccount(%q) = %+v", q, got)
		}
	}
	if got, _ := w.ResolveAccount(ctx, "nobody@contoso.example"); len(got) != 0 {
		t.Errorf("ResolveAccount(nobody) = %+v", got)
	}

	st, err := w.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Backend != vault.BackendFile || !st.Exists || st.Accounts != 3 || st.FormatVersion != 3 ||
		st.Generation != 1 || len(st.KeyID) != 32 || st.Size != info.Size() || st.Path != v.Path() ||
		st.LockPath != filepath.Join(opts.Dir, vault.FileName)+".lock" || st.KeyFromKernel {
		t.Errorf("Status = %+v", st)
	}
	if _, err := os.Stat(filepath.Join(opts.Dir, "keyring", "vault-key-"+st.KeyID)); err != nil {
		t.Errorf("keyring item: %v", err)
	}
}

func TestEmptyVault(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	opts.Getenv = env{}.get // no passphrase: nothing may need one
	v := open(t, opts)
	if names := usernames(t, v); len(names) != 0 {
		t.Errorf("empty vault has %v", names)
	}
	// A write that changes nothing creates nothing: no file, no key.
	if err := v.Update(ctx, func(*cache.Cache) error { return nil }); err != nil {
		t.Fatal(err)
	}
	st, err := v.Status(ctx)
	if err != nil || st.Exists {
		t.Fatalf("Status = %+v, %v", st, err)
	}
	if _, err := os.Stat(v.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("vault file: %v", err)
	}
	// fn's error comes back as it is, and nothing is written.
	boom := errors.New("boom")
	err = v.Write(ctx, cache.Hint{HomeAccountID: homeID(1)}, func(c *cache.Cache) error {
		addAccount(c, 1, 10)
		return boom
	})
	if err != boom {
		t.Errorf("Write error %v, want fn's", err)
	}
}

func TestWriteHint(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	v := open(t, opts)
	fill(t, v, 0, 3, 50)

	// A hinted write sees only its account and the shared entries, and
	// leaves the others alone.
	err := v.Write(ctx, cache.Hint{HomeAccountID: homeID(1)}, func(c *cache.Cache) error {
		if n := len(c.Accounts()); n != 1 {
			t.Errorf("hinted write sees %d accounts", n)
		}
		// Entries for an account fn was not given are merged into it.
		rt := cache.RefreshToken{HomeAccountID: homeID(2), Environment: testEnv, ClientID: "other-client", Secret: "rt-extra"}
		if err := c.SaveRefreshToken(rt, 1); err != nil {
			return err
		}
		// A brand-new account gets its record.
		if err := addAccount(c, 7, 20); err != nil {
			return err
		}
		c.RemoveAccountData(homeID(1), nil, testClientID, "1")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w := open(t, opts)
	if got, want := usernames(t, w), []string{username(0), username(2), username(7)}; !slices.Equal(got, want) {
		t.Fatalf("usernames %v, want %v", got, want)
	}
	err = w.Read(ctx, cache.Hint{HomeAccountID: homeID(2)}, func(c *cache.Cache) error {
		if rts := c.FindRefreshTokens(cache.RefreshTokenQuery{HomeAccountID: homeID(2)}); len(rts) != 2 {
			t.Errorf("account 2 has %d refresh tokens, want its own and the merged one", len(rts))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := w.Accounts(ctx)
	if err != nil || len(accounts) != 3 {
		t.Errorf("Accounts = %+v, %v", accounts, err)
	}
}

func TestReloadsWhatOthersWrote(t *testing.T) {
	opts := fileOptions(t)
	a, b := open(t, opts), open(t, opts)
	fill(t, a, 0, 1, 10)
	if got := usernames(t, b); len(got) != 1 {
		t.Fatalf("b sees %v", got)
	}
	fill(t, b, 1, 2, 10)
	fill(t, a, 2, 3, 10) // a must reload before writing, or account 1 is lost
	if got := usernames(t, b); len(got) != 3 {
		t.Fatalf("b sees %v, want 3 accounts", got)
	}
}
