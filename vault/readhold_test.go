package vault_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/vault"
)

// resolveThenRead is `acctui token --account`'s two reads: the name among
// service principals and accounts, then the account's access token. It
// returns the token's secret.
func resolveThenRead(t *testing.T, v *vault.Vault, i int) cache.Secret {
	t.Helper()
	ctx := context.Background()
	res, err := v.ReadMetadataResolving(ctx, username(i), []string{"acctui.principals"}, func(*cache.Cache) error { return nil })
	if err == nil {
		err = res.Err
	}
	if err != nil || len(res.Summaries) != 1 || res.Summaries[0].HomeAccountID != homeID(i) {
		t.Fatalf("resolving %s: %+v, %v", username(i), res.Summaries, err)
	}
	return readToken(t, v, i)
}

// readToken reads account i's access token.
func readToken(t *testing.T, v *vault.Vault, i int) cache.Secret {
	t.Helper()
	var secret cache.Secret
	err := v.Read(context.Background(), cache.Hint{HomeAccountID: homeID(i), Realm: testTenant}, func(c *cache.Cache) error {
		at, ok := c.FindAccessToken(cache.AccessTokenQuery{HomeAccountID: homeID(i), ClientID: testClientID, Realm: testTenant,
			Scopes: []string{"https://graph.microsoft.com/.default"}})
		if !ok {
			return errors.New("no access token")
		}
		secret = at.Secret
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func TestKeepOpenForNextReadSharesOneOpen(t *testing.T) {
	opts := fileOptions(t)
	fill(t, open(t, opts), 0, 3, 40)
	want := readToken(t, open(t, opts), 1)

	plain := open(t, opts)
	if got := resolveThenRead(t, plain, 1); got != want {
		t.Fatal("the two reads without a hold read another token")
	}
	held := open(t, opts)
	held.KeepOpenForNextRead()
	if got := resolveThenRead(t, held, 1); got != want {
		t.Fatal("the two reads sharing one open read another token")
	}
	if p, h := plain.FileOpens(), held.FileOpens(); h != p-1 {
		t.Errorf("the two reads opened the file %d times with the hold, %d without; want one less", h, p)
	}
	// The hold lasted one read: the next one opens the file again.
	before := held.FileOpens()
	readToken(t, held, 2)
	if got := held.FileOpens(); got != before+1 {
		t.Errorf("a read after the shared one opened the file %d times, want 1", got-before)
	}
}

// TestHeldFileLetsWritesIn: while one read's open is kept for the next,
// bbolt's shared lock keeps writers out; every way the hold ends lets them
// in. Another Vault stands for another process (flock locks belong to an
// open file, not to a process).
func TestHeldFileLetsWritesIn(t *testing.T) {
	ctx := context.Background()
	ends := map[string]func(t *testing.T, v *vault.Vault){
		"nothing (the control: writers wait)": func(*testing.T, *vault.Vault) {},
		"the next read":                       func(t *testing.T, v *vault.Vault) { readToken(t, v, 2) },
		"ReleaseHeld":                         func(_ *testing.T, v *vault.Vault) { v.ReleaseHeld() },
		"Close":                               func(_ *testing.T, v *vault.Vault) { v.Close() },
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
			opts.LockTimeout = 100 * time.Millisecond
			fill(t, open(t, opts), 0, 3, 40)
			v := open(t, opts)
			v.KeepOpenForNextRead()
			resolveThenRead(t, v, 1) // the two reads spend the hold
			v.KeepOpenForNextRead()
			readToken(t, v, 1) // keeps the file open
			end(t, v)

			other := open(t, opts)
			err := other.Write(ctx, cache.Hint{HomeAccountID: homeID(5)}, func(c *cache.Cache) error { return addAccount(c, 5, 40) })
			if name == "nothing (the control: writers wait)" {
				if !errors.Is(err, vault.ErrLocked) {
					t.Errorf("a write while the file is held: %v, want ErrLocked", err)
				}
				return
			}
			if err != nil {
				t.Errorf("a write after the hold ended by %s: %v", name, err)
			}
		})
	}
}
