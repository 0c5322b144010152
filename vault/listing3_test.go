package vault_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/overview"
	"acctui/vault"
	bolt "go.etcd.io/bbolt"
)

const otherTenant = "0d7e9f3a-5b1c-4e2d-8f6a-9c0b1a2d3e4f"

// wholeOverview is what the listing must equal: the overview of the whole
// cache, every credential opened.
func wholeOverview(t *testing.T, v *vault.Vault, now time.Time) []overview.Account {
	t.Helper()
	var want []overview.Account
	if err := v.Read(context.Background(), cache.Hint{}, func(c *cache.Cache) error {
		want = overview.Build(c, now)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return want
}

func checkOverview(t *testing.T, v *vault.Vault, now time.Time, when string) []overview.Account {
	t.Helper()
	got, err := v.Overview(context.Background(), now)
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	if want := wholeOverview(t, v, now); !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: listing\n%+v\nwhole cache\n%+v", when, got, want)
	}
	var streamed []overview.Account
	if err := v.EachOverview(context.Background(), now, func(a overview.Account) error {
		streamed = append(streamed, a)
		return nil
	}); err != nil {
		t.Fatalf("%s: EachOverview: %v", when, err)
	}
	if !reflect.DeepEqual(streamed, got) {
		t.Fatalf("%s: EachOverview\n%+v\nOverview\n%+v", when, streamed, got)
	}
	return got
}

// idToken is an unsigned JWT with a name and an exp claim.
func idToken(name string, exp int64) cache.Secret {
	enc := base64.RawURLEncoding
	claims, _ := json.Marshal(map[string]any{"name": name, "exp": exp})
	return cache.Secret(enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(claims) + ".c2ln")
}

func TestOverviewOpensNoCredential(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	v := open(t, opts)
	fill(t, v, 0, 12, 40)
	now := time.Now()
	// Account 3 also signed in to another tenant, with a named ID token
	// there.
	home := homeID(3)
	err := v.Write(ctx, cache.Hint{HomeAccountID: home}, func(c *cache.Cache) error {
		return errorsOf(
			c.SaveAccount(cache.Account{HomeAccountID: home, Environment: testEnv, Realm: otherTenant, Username: username(3), AuthorityType: cache.AuthorityTypeMSSTS}),
			c.SaveAccessToken(cache.AccessToken{HomeAccountID: home, Environment: testEnv, ClientID: testClientID, Realm: otherTenant,
				Target: "https://management.core.windows.net//.default", Secret: randomSecret("AT.", 40), CachedAt: now.Unix(), ExpiresOn: now.Unix() + 120}),
			c.SaveIDToken(cache.IDToken{HomeAccountID: home, Environment: testEnv, ClientID: testClientID, Realm: otherTenant,
				Secret: idToken("Three Example", now.Unix()+3600)}),
		)
	})
	if err != nil {
		t.Fatal(err)
	}
	// Another account with account 7's username (sorted after it by home
	// account id), and tokens of a home account with no Account entry,
	// which no listing shows.
	twin, orphan := "ffffffff-1111-2222-3333-000000000007."+otherTenant, "eeeeeeee-1111-2222-3333-000000000000."+otherTenant
	err = v.Update(ctx, func(c *cache.Cache) error {
		return errorsOf(
			c.SaveAccount(cache.Account{HomeAccountID: twin, Environment: testEnv, Realm: otherTenant, Username: username(7), AuthorityType: cache.AuthorityTypeMSSTS}),
			c.SaveAccessToken(cache.AccessToken{HomeAccountID: orphan, Environment: testEnv, ClientID: testClientID, Realm: otherTenant,
				Target: "https://graph.microsoft.com/.default", Secret: randomSecret("AT.", 40), CachedAt: now.Unix(), ExpiresOn: now.Unix() + 900}),
		)
	})
	if err != nil {
		t.Fatal(err)
	}

	list := checkOverview(t, v, now, "after sign-ins")
	if len(list) != 13 || list[7].Username != username(7) || list[8].HomeAccountID != twin {
		t.Fatalf("listed %d accounts, 7th %q, 8th %q; want 13 with the twin after account 7", len(list), list[7].Username, list[8].HomeAccountID)
	}
	before := v.Decryptions()
	if _, err := v.Overview(ctx, now); err != nil {
		t.Fatal(err)
	}
	// The manifest, then per account its listing head and its groups (its
	// tenant's and the one without a tenant: the refresh token); account 3
	// has one more group. No summary, no credential.
	if n, want := v.Decryptions()-before, int64(1+12*(1+2)+1+2*(1+1)); n != want {
		t.Errorf("listing decrypted %d things, want %d (no credential)", n, want)
	}
	three := list[3]
	if three.Username != username(3) || three.Name != "Three Example" || len(three.Realms) != 2 {
		t.Errorf("account 3 listed as %+v", three)
	}

	// A refresh of the other tenant's token, written as the engine writes
	// it (narrowed to its tenant), changes the listing at once.
	err = v.Write(ctx, cache.Hint{HomeAccountID: home, Realm: otherTenant}, func(c *cache.Cache) error {
		return c.SaveAccessToken(cache.AccessToken{HomeAccountID: home, Environment: testEnv, ClientID: testClientID, Realm: otherTenant,
			Target: "https://management.core.windows.net//.default", Secret: randomSecret("AT.", 40), CachedAt: now.Unix(), ExpiresOn: now.Unix() + 7200})
	})
	if err != nil {
		t.Fatal(err)
	}
	checkOverview(t, v, now.Add(10*time.Minute), "after a refresh")

	// Signing out of one tenant and removing another account.
	err = v.Update(ctx, func(c *cache.Cache) error {
		c.RemoveAccountData(homeID(5), nil, "", "")
		c.RemoveAccount(cache.Account{HomeAccountID: home, Environment: testEnv, Realm: otherTenant})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if list := checkOverview(t, v, now, "after removals"); len(list) != 12 {
		t.Errorf("%d accounts listed after removing one of 13", len(list))
	}
}

// A vault written before the listing bucket existed is listed from its
// credentials, and each account's next write adds its listing.
func TestOverviewOfAVaultWithoutListing(t *testing.T) {
	opts := fileOptions(t)
	v := open(t, opts)
	fill(t, v, 0, 6, 40)
	// Account 4 is a guest in another tenant too.
	now := time.Now()
	err := v.Write(context.Background(), cache.Hint{HomeAccountID: homeID(4)}, func(c *cache.Cache) error {
		return errorsOf(
			c.SaveAccount(cache.Account{HomeAccountID: homeID(4), Environment: testEnv, Realm: otherTenant, Username: username(4), AuthorityType: cache.AuthorityTypeMSSTS}),
			c.SaveAccessToken(cache.AccessToken{HomeAccountID: homeID(4), Environment: testEnv, ClientID: testClientID, Realm: otherTenant,
				Target: "https://management.core.windows.net//.default", Secret: randomSecret("AT.", 40), CachedAt: now.Unix(), ExpiresOn: now.Unix() + 900}),
		)
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(filepath.Join(opts.Dir, vault.DBFileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("listing")) }); err != nil {
		t.Fatal(err)
	}
	db.Close()

	checkOverview(t, v, now, "without a listing")
	// A hinted write rewrites account 2 only (a whole-cache Update would
	// list every account).
	err = v.Write(context.Background(), cache.Hint{HomeAccountID: homeID(2)}, func(c *cache.Cache) error { return addAccount(c, 2, 40) })
	if err != nil {
		t.Fatal(err)
	}
	checkOverview(t, v, now, "after one account's write")
	// A write narrowed to one tenant (what a refresh sends) still lists
	// the whole account.
	err = v.Write(context.Background(), cache.Hint{HomeAccountID: homeID(4), Realm: testTenant}, func(c *cache.Cache) error {
		return c.SaveAccessToken(cache.AccessToken{HomeAccountID: homeID(4), Environment: testEnv, ClientID: testClientID, Realm: testTenant,
			Target: "https://vault.azure.net/.default", Secret: randomSecret("AT.", 40), CachedAt: now.Unix(), ExpiresOn: now.Unix() + 600})
	})
	if err != nil {
		t.Fatal(err)
	}
	checkOverview(t, v, now, "after a write narrowed to one tenant")
	before := v.Decryptions()
	if _, err := v.Overview(context.Background(), now); err != nil {
		t.Fatal(err)
	}
	// Account 2 is read from its head and two groups, account 4 from its
	// head and three, the four others from their summaries and four
	// credentials each (the summaries are walked to find them).
	if n, want := v.Decryptions()-before, int64(1+(1+2)+(1+3)+6+4*4); n != want {
		t.Errorf("listing decrypted %d things, want %d", n, want)
	}
}

func errorsOf(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Imports list what they write: a listing after an import into a new
// vault and into one that had accounts opens no credential.
func TestImportedAccountsAreListed(t *testing.T) {
	ctx := context.Background()
	msal := func(from, to int) string {
		c := cache.New()
		for i := from; i < to; i++ {
			if err := addAccount(c, i, 40); err != nil {
				t.Fatal(err)
			}
		}
		doc, err := c.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "msal.json")
		if err := os.WriteFile(file, doc, 0o600); err != nil {
			t.Fatal(err)
		}
		return file
	}
	v := open(t, fileOptions(t))
	now := time.Now()
	for _, step := range []struct {
		name     string
		from, to int
		accounts int
	}{{"into a new vault", 0, 8, 8}, {"into a vault with accounts", 5, 12, 12}} {
		if _, err := v.ImportMSAL(ctx, msal(step.from, step.to)); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		checkOverview(t, v, now, step.name)
		before := v.Decryptions()
		if _, err := v.Overview(ctx, now); err != nil {
			t.Fatal(err)
		}
		// the manifest, then each account's head and two groups
		if n, want := v.Decryptions()-before, int64(1+step.accounts*3); n != want {
			t.Errorf("%s: listing decrypted %d things, want %d (no credential)", step.name, n, want)
		}
	}
}

// EachOverview hands accounts over with the vault unlocked: a caller that
// prints them to a pipe nobody reads (`acctui accounts | less`) keeps no
// other process from writing. What it hands over is the listing as it was
// when it read it.
func TestEachOverviewHandsAccountsOverUnlocked(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	opts.LockTimeout = 200 * time.Millisecond
	v := open(t, opts)
	fill(t, v, 0, 5, 40)
	other := open(t, opts)
	now := time.Now()
	n := 0
	err := v.EachOverview(ctx, now, func(overview.Account) error {
		if n++; n == 1 {
			if err := other.Update(ctx, func(c *cache.Cache) error { return addAccount(c, 9, 40) }); err != nil {
				t.Errorf("a write while accounts are handed over: %v", err)
			}
		}
		return nil
	})
	if err != nil || n != 5 {
		t.Fatalf("EachOverview handed over %d accounts: %v", n, err)
	}
	if list := checkOverview(t, v, now, "after the write"); len(list) != 6 {
		t.Errorf("%d accounts after the write, want 6", len(list))
	}
}

// An error of the caller's ends EachOverview at once and comes back as it
// is (the goroutine assembling ahead is stopped).
func TestEachOverviewStopsAtTheCallersError(t *testing.T) {
	ctx := context.Background()
	v := open(t, fileOptions(t))
	fill(t, v, 0, 200, 20)
	stop := errors.New("enough")
	n := 0
	err := v.EachOverview(ctx, time.Now(), func(overview.Account) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Errorf("EachOverview after the caller's error: %v, %d accounts handed over", err, n)
	}
}
