package vault_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/engine/idptest"
	"acctui/vault"
)

// wholeStore is the vault read and written without realm narrowing: what
// the engine got before cache.Hint had a realm.
type wholeStore struct{ v *vault.Vault }

func (s wholeStore) Read(ctx context.Context, hint cache.Hint, fn func(*cache.Cache) error) error {
	hint.Realm = ""
	return s.v.Read(ctx, hint, fn)
}

func (s wholeStore) Write(ctx context.Context, hint cache.Hint, fn func(*cache.Cache) error) error {
	hint.Realm = ""
	return s.v.Write(ctx, hint, fn)
}

// TestEngineSilentPerTenantOverRealmGroups runs the engine's silent flow
// against idptest with the vault as its cache, for an account signed in
// through three authorities (its tenant, organizations, common) and
// holding tokens in 20 more tenants: in each, a cached token, a refresh
// for a scope not cached and a forced refresh. The realm-narrowed reads
// give the Result a whole read gives, decrypting none of the other
// tenants' records, and what they write a whole read then finds; the
// other tenants' entries stay as they were.
func TestEngineSilentPerTenantOverRealmGroups(t *testing.T) {
	ctx := context.Background()
	v := open(t, fileOptions(t))
	srv := idptest.Start(t, idptest.Options{TLS: true})
	graph := []string{"https://graph.microsoft.com/.default"}
	arm := []string{"https://management.azure.com/.default"}
	tenants := []string{"contoso", "organizations", "common"}
	narrowed, whole := map[string]*engine.Client{}, map[string]*engine.Client{}
	var home, env string
	for _, tn := range tenants {
		narrowed[tn], whole[tn] = newCLI(t, srv, v, tn), newCLI(t, srv, wholeStore{v}, tn)
		res, err := narrowed[tn].AcquireTokenByUsernamePassword(ctx, graph, "alice@contoso.example", engine.Secret("demo-alice"))
		if err != nil {
			t.Fatal(err)
		}
		home, env = res.Account.HomeAccountID, res.Account.Environment
	}
	const others = 20
	seeded := map[string]string{}
	now := time.Now().Unix()
	err := v.Update(ctx, func(c *cache.Cache) error {
		for i := range others {
			realm := fmt.Sprintf("%08x-aaaa-bbbb-cccc-%012x", i, i)
			secret := string(randomSecret("AT.", 60))
			seeded[realm] = secret
			err := errors.Join(
				c.SaveAccount(cache.Account{HomeAccountID: home, Environment: env, Realm: realm, Username: "alice@contoso.example",
					AuthorityType: cache.AuthorityTypeMSSTS}),
				c.SaveAccessToken(cache.AccessToken{HomeAccountID: home, Environment: env, ClientID: idptest.AzureCLIClientID,
					Realm: realm, Target: graph[0], Secret: cache.Secret(secret), CachedAt: now, ExpiresOn: now + 3600, ExtendedExpiresOn: now + 3600}),
				c.SaveIDToken(cache.IDToken{HomeAccountID: home, Environment: env, Realm: realm, ClientID: idptest.AzureCLIClientID,
					Secret: randomSecret("ID.", 60)}))
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := whole["contoso"].Accounts(ctx)
	if err != nil || len(accounts) != 1 || len(accounts[0].Realms) != others+len(tenants) {
		t.Fatalf("Accounts = %+v, %v", accounts, err)
	}
	acct := accounts[0]

	// silent calls of both clients, the decryptions of each
	silent := func(c *engine.Client, scopes []string, opts ...engine.Option) (engine.Result, int64) {
		t.Helper()
		before := v.Decryptions()
		r, err := c.AcquireTokenSilent(ctx, scopes, acct, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return r, v.Decryptions() - before
	}
	for _, tn := range tenants {
		got, cost := silent(narrowed[tn], graph)
		want, wholeCost := silent(whole[tn], graph)
		if got.Source != engine.SourceCache || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: narrowed read gave\n%+v\nthe whole read\n%+v", tn, got, want)
		}
		if cost >= others || wholeCost <= 3*others {
			t.Errorf("%s: the narrowed read decrypted %d, the whole read %d", tn, cost, wholeCost)
		}

		refreshed, _ := silent(narrowed[tn], arm)
		again, _ := silent(whole[tn], arm)
		if refreshed.Source != engine.SourceIdentityProvider || again.Source != engine.SourceCache ||
			again.AccessToken.Reveal() != refreshed.AccessToken.Reveal() {
			t.Errorf("%s: refresh for another scope: %s then %s, same token %v", tn, refreshed.Source, again.Source,
				again.AccessToken.Reveal() == refreshed.AccessToken.Reveal())
		}

		forced, _ := silent(narrowed[tn], graph, engine.WithForceRefresh())
		after, _ := silent(whole[tn], graph)
		if forced.Source != engine.SourceIdentityProvider || forced.AccessToken.Reveal() == got.AccessToken.Reveal() ||
			after.AccessToken.Reveal() != forced.AccessToken.Reveal() {
			t.Errorf("%s: a forced refresh gave a %s token the whole read then finds: %v", tn, forced.Source,
				after.AccessToken.Reveal() == forced.AccessToken.Reveal())
		}
		if got, want := silent2(t, narrowed[tn], whole[tn], acct, graph); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: after the refreshes the narrowed read gives\n%+v\nthe whole read\n%+v", tn, got, want)
		}
	}

	err = v.Read(ctx, cache.Hint{}, func(c *cache.Cache) error {
		for realm, secret := range seeded {
			at, ok := c.FindAccessToken(cache.AccessTokenQuery{HomeAccountID: home, ClientID: idptest.AzureCLIClientID, Realm: realm, Scopes: graph})
			if !ok || at.Secret.Reveal() != secret {
				t.Errorf("the access token of seeded tenant %s changed", realm)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.CheckRecords(ctx); err != nil {
		t.Fatal(err)
	}
	if after, err := whole["contoso"].Accounts(ctx); err != nil || !reflect.DeepEqual(after, accounts) {
		t.Errorf("Accounts after the refreshes = %+v, %v; before %+v", after, err, accounts)
	}
}

// silent2 is one silent call of each client, in order.
func silent2(t *testing.T, a, b *engine.Client, acct engine.Account, scopes []string) (engine.Result, engine.Result) {
	t.Helper()
	ra, err := a.AcquireTokenSilent(context.Background(), scopes, acct)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := b.AcquireTokenSilent(context.Background(), scopes, acct)
	if err != nil {
		t.Fatal(err)
	}
	return ra, rb
}

// TestEngineGuestOnlyAccountReadsWhole: an account with Account entries
// only in tenants other than its home one (a guest everywhere) has no
// home-tenant entry in a narrowed read, so the engine reads the whole
// account and gives the Result a whole read gives (its fields come from
// the first entry by key, not the asked tenant's).
func TestEngineGuestOnlyAccountReadsWhole(t *testing.T) {
	ctx := context.Background()
	v := open(t, fileOptions(t))
	srv := idptest.Start(t, idptest.Options{TLS: true})
	graph := []string{"https://graph.microsoft.com/.default"}
	res, err := newCLI(t, srv, v, "contoso").AcquireTokenByUsernamePassword(ctx, graph, "alice@contoso.example", engine.Secret("demo-alice"))
	if err != nil {
		t.Fatal(err)
	}
	env := res.Account.Environment
	home := "0000aaaa-0000-0000-0000-00000000beef.1234abcd-0000-0000-0000-000000000000"
	var realms []string
	now := time.Now().Unix()
	err = v.Update(ctx, func(c *cache.Cache) error {
		for i := range 5 {
			realm := fmt.Sprintf("%08x-aaaa-bbbb-cccc-%012x", i+1, i+1)
			realms = append(realms, realm)
			err := errors.Join(
				c.SaveAccount(cache.Account{HomeAccountID: home, Environment: env, Realm: realm, Username: "guest@partner.example",
					LocalAccountID: fmt.Sprintf("local-%d", i), AuthorityType: cache.AuthorityTypeMSSTS}),
				c.SaveAccessToken(cache.AccessToken{HomeAccountID: home, Environment: env, ClientID: idptest.AzureCLIClientID,
					Realm: realm, Target: graph[0], Secret: randomSecret("AT.", 60), CachedAt: now, ExpiresOn: now + 3600, ExtendedExpiresOn: now + 3600}))
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	acct := engine.Account{HomeAccountID: home, Realms: realms}
	got, err := newCLI(t, srv, v, realms[3]).AcquireTokenSilent(ctx, graph, acct)
	if err != nil {
		t.Fatal(err)
	}
	want, err := newCLI(t, srv, wholeStore{v}, realms[3]).AcquireTokenSilent(ctx, graph, acct)
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != engine.SourceCache || !reflect.DeepEqual(got, want) || got.Account.Realm != realms[0] {
		t.Errorf("narrowed client gave account %+v, the whole read %+v", got.Account, want.Account)
	}
}

// newCLI is an Azure CLI client of tenant on srv with store as its cache.
func newCLI(t *testing.T, srv *idptest.Server, store engine.CacheStore, tenant string) *engine.Client {
	t.Helper()
	c, err := engine.New(engine.Config{ClientID: idptest.AzureCLIClientID, Authority: srv.Authority(tenant),
		HTTPClient: srv.Client(), Cache: store})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
