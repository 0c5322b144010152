package vault_test

import (
	"context"
	"errors"
	"testing"

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
