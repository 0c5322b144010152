package vault_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/vault"
)

// tenantOf is test tenant t; tenant 0 is the home tenant of homeID(i).
func tenantOf(t int) string {
	if t == 0 {
		return testTenant
	}
	return fmt.Sprintf("%08x-aaaa-bbbb-cccc-%012x", t, t)
}

// fillTenants stores account i signed in to tenants 0…n-1 (addTenants).
func fillTenants(t testing.TB, v *vault.Vault, i, n int) {
	t.Helper()
	if err := v.Update(context.Background(), func(c *cache.Cache) error { return addTenants(c, i, n) }); err != nil {
		t.Fatal(err)
	}
}

// addTenants adds account i signed in to tenants 0…n-1: an Account entry,
// an access token and an ID token in each, one family refresh token.
func addTenants(c *cache.Cache, i, n int) error {
	home := homeID(i)
	now := time.Now().Unix()
	for tn := range n {
		err := errors.Join(
			c.SaveAccount(cache.Account{HomeAccountID: home, Environment: testEnv, Realm: tenantOf(tn),
				LocalAccountID: home[:36], Username: username(i), AuthorityType: cache.AuthorityTypeMSSTS}),
			c.SaveAccessToken(cache.AccessToken{HomeAccountID: home, Environment: testEnv, ClientID: testClientID,
				Realm: tenantOf(tn), Target: "https://graph.microsoft.com/.default", Secret: randomSecret("AT.", 40),
				CachedAt: now, ExpiresOn: now + 3600, ExtendedExpiresOn: now + 3600}),
			c.SaveIDToken(cache.IDToken{HomeAccountID: home, Environment: testEnv, Realm: tenantOf(tn), ClientID: testClientID,
				Secret: randomSecret("ID.", 40)}))
		if err != nil {
			return err
		}
	}
	return c.SaveRefreshToken(cache.RefreshToken{HomeAccountID: home, Environment: testEnv, ClientID: testClientID,
		Secret: randomSecret("RT.", 40), FamilyID: "1"}, now)
}

// view is what a read of one account gave.
type view struct {
	atRealms, idRealms, accountRealms []string
	refreshTokens                     int
	token                             string // secret of the access token of the asked realm
}

// readView reads account i with hint and notes what the cache held and how
// many decryptions that took.
func readView(t *testing.T, v *vault.Vault, hint cache.Hint, realm string) (view, int64) {
	t.Helper()
	home := hint.HomeAccountID
	before := v.Decryptions()
	var got view
	err := v.Read(context.Background(), hint, func(c *cache.Cache) error {
		for _, at := range c.FindAccessTokens(cache.AccessTokenQuery{HomeAccountID: home}) {
			got.atRealms = append(got.atRealms, at.Realm)
		}
		for _, a := range c.FindAccounts(cache.AccountQuery{HomeAccountID: home}) {
			got.accountRealms = append(got.accountRealms, a.Realm)
		}
		for tn := range 64 {
			if _, ok := c.FindIDToken(cache.IDTokenQuery{HomeAccountID: home, ClientID: testClientID, Realm: tenantOf(tn)}); ok {
				got.idRealms = append(got.idRealms, tenantOf(tn))
			}
		}
		got.refreshTokens = len(c.FindRefreshTokens(cache.RefreshTokenQuery{HomeAccountID: home}))
		if at, ok := c.FindAccessToken(cache.AccessTokenQuery{HomeAccountID: home, ClientID: testClientID, Realm: realm,
			Scopes: []string{"https://graph.microsoft.com/.default"}}); ok {
			got.token = at.Secret.Reveal()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range [][]string{got.atRealms, got.idRealms, got.accountRealms} {
		slices.Sort(s)
	}
	return got, v.Decryptions() - before
}

func sortedStrings(s ...string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

// TestRealmHintReadsOneTenant: a realm-hinted read of an account in 30
// tenants decrypts that tenant's three records beyond what a read of a
// one-tenant account decrypts, and holds that tenant's and the home
// tenant's entries and the refresh token, with the same access token an
// unhinted read finds; the realm is matched ignoring case.
func TestRealmHintReadsOneTenant(t *testing.T) {
	opts := fileOptions(t)
	v := open(t, opts)
	fill(t, v, 1, 4, 40)
	fillTenants(t, v, 0, 30)
	home := homeID(0)
	realm := tenantOf(7)

	r := open(t, opts)
	_, oneTenant := readView(t, r, cache.Hint{HomeAccountID: homeID(2)}, testTenant)
	whole, wholeCost := readView(t, r, cache.Hint{HomeAccountID: home}, realm)
	if len(whole.atRealms) != 30 || len(whole.accountRealms) != 30 || len(whole.idRealms) != 30 || whole.refreshTokens != 1 {
		t.Fatalf("unhinted read: %+v", whole)
	}
	// the one-tenant account has four records, this one 30×3+1
	if wholeCost != oneTenant-4+91 {
		t.Errorf("unhinted read decrypted %d, a one-tenant account %d", wholeCost, oneTenant)
	}
	for _, asked := range []string{realm, strings.ToUpper(realm)} {
		got, cost := readView(t, r, cache.Hint{HomeAccountID: home, Realm: asked}, asked)
		want := sortedStrings(testTenant, realm)
		if !slices.Equal(got.atRealms, want) || !slices.Equal(got.accountRealms, want) || !slices.Equal(got.idRealms, want) || got.refreshTokens != 1 {
			t.Errorf("hinted read of %s holds %+v, want the entries of %v and one refresh token", asked, got, want)
		}
		if got.token == "" || got.token != whole.token {
			t.Errorf("hinted read of %s found another access token than the unhinted read", asked)
		}
		if cost != oneTenant+3 {
			t.Errorf("hinted read of %s decrypted %d, a one-tenant account %d (want 3 more: its records in that tenant)", asked, cost, oneTenant)
		}
	}
	// the home tenant asked for: its group and the realm-less one only
	if got, cost := readView(t, r, cache.Hint{HomeAccountID: home, Realm: testTenant}, testTenant); cost != oneTenant || len(got.atRealms) != 1 {
		t.Errorf("hinted read of the home tenant decrypted %d (one-tenant account %d) and holds %+v", cost, oneTenant, got)
	}
}

// TestRealmHintedWriteKeepsOtherTenants: a realm-hinted write replaces what
// it was given, adds a token in a tenant it was not given without losing
// that tenant's entries, and leaves the other 27 tenants as they were; the
// summary's counts and names stay right, also when a hinted write drops a
// tenant's Account entry.
func TestRealmHintedWriteKeepsOtherTenants(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	v := open(t, opts)
	fill(t, v, 1, 3, 40)
	fillTenants(t, v, 0, 30)
	home := homeID(0)
	seven, nine := tenantOf(7), tenantOf(9)
	before, _ := readView(t, v, cache.Hint{HomeAccountID: home}, nine)

	w := open(t, opts)
	now := time.Now().Unix()
	err := w.Write(ctx, cache.Hint{HomeAccountID: home, Realm: seven}, func(c *cache.Cache) error {
		at, ok := c.FindAccessToken(cache.AccessTokenQuery{HomeAccountID: home, ClientID: testClientID, Realm: seven})
		if !ok {
			return errors.New("no access token in the hinted tenant")
		}
		at.Secret = "AT.refreshed"
		if !c.RemoveIDToken(cache.IDToken{HomeAccountID: home, Environment: testEnv, Realm: seven, ClientID: testClientID}) {
			return errors.New("no ID token to remove")
		}
		return errors.Join(c.SaveAccessToken(at),
			c.SaveAccessToken(cache.AccessToken{HomeAccountID: home, Environment: testEnv, ClientID: testClientID,
				Realm: nine, Target: "Mail.Read", Secret: "AT.new-in-nine", CachedAt: now, ExpiresOn: now + 60, ExtendedExpiresOn: now + 60}))
	})
	if err != nil {
		t.Fatal(err)
	}
	r := open(t, opts)
	if err := r.CheckRecords(ctx); err != nil {
		t.Fatal(err)
	}
	after, _ := readView(t, r, cache.Hint{HomeAccountID: home}, nine)
	if len(after.atRealms) != 31 || len(after.idRealms) != 29 || slices.Contains(after.idRealms, seven) ||
		!slices.Equal(after.accountRealms, before.accountRealms) || after.token != before.token || after.refreshTokens != 1 {
		t.Errorf("after the hinted write the account holds %+v", after)
	}
	if got, _ := readView(t, r, cache.Hint{HomeAccountID: home}, seven); got.token != "AT.refreshed" {
		t.Error("the refreshed access token was not saved")
	}
	// every tenant's group still adds up to what the summary counts
	for tn := range 30 {
		got, _ := readView(t, r, cache.Hint{HomeAccountID: home, Realm: tenantOf(tn)}, tenantOf(tn))
		wantAT := 2
		if tn == 0 {
			wantAT = 1
		} else if tn == 9 {
			wantAT = 3
		}
		if len(got.atRealms) != wantAT {
			t.Errorf("tenant %d: hinted read holds access tokens of %v", tn, got.atRealms)
		}
	}

	// a write hinted at tenant 7 that replaces tenant 9's graph token: the
	// record is overwritten, not counted twice
	err = w.Write(ctx, cache.Hint{HomeAccountID: home, Realm: seven}, func(c *cache.Cache) error {
		return c.SaveAccessToken(cache.AccessToken{HomeAccountID: home, Environment: testEnv, ClientID: testClientID,
			Realm: nine, Target: "https://graph.microsoft.com/.default", Secret: "AT.replaced-in-nine", CachedAt: now,
			ExpiresOn: now + 7200, ExtendedExpiresOn: now + 7200})
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := readView(t, open(t, opts), cache.Hint{HomeAccountID: home, Realm: nine}, nine); got.token != "AT.replaced-in-nine" || len(got.atRealms) != 3 {
		t.Errorf("after replacing tenant 9's token through a write hinted at tenant 7: %+v", got)
	}
	if err := open(t, opts).CheckRecords(ctx); err != nil {
		t.Fatal(err)
	}

	// dropping a tenant's Account entry through a hinted write drops it
	// from the names too
	err = w.Write(ctx, cache.Hint{HomeAccountID: home, Realm: nine}, func(c *cache.Cache) error {
		if !c.RemoveAccount(cache.Account{HomeAccountID: home, Environment: testEnv, Realm: nine}) {
			return errors.New("no Account entry to remove")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	list, err := open(t, opts).ResolveAccount(ctx, home)
	if err != nil || len(list) != 1 || len(list[0].Realms) != 29 || slices.Contains(list[0].Realms, nine) {
		t.Fatalf("after dropping tenant 9's Account entry the summary says %+v, %v", list, err)
	}
	if got, _ := readView(t, open(t, opts), cache.Hint{HomeAccountID: home}, nine); len(got.accountRealms) != 29 || len(got.atRealms) != 31 {
		t.Errorf("after dropping tenant 9's Account entry the account holds %+v", got)
	}
	if err := open(t, opts).CheckRecords(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestRealmGroupMissingRecordIsDamage: a record gone from one tenant's
// group (a damaged page hiding it) fails a read hinted at that tenant and
// an unhinted one, with the reset advice.
func TestRealmGroupMissingRecordIsDamage(t *testing.T) {
	opts := fileOptions(t)
	v := open(t, opts)
	fillTenants(t, v, 0, 5)
	home := homeID(0)
	if err := v.DeleteGroupRecordForTest(strings.ToLower(home), tenantOf(3)); err != nil {
		t.Fatal(err)
	}
	for _, hint := range []cache.Hint{{HomeAccountID: home, Realm: tenantOf(3)}, {HomeAccountID: home}} {
		err := open(t, opts).Read(context.Background(), hint, func(*cache.Cache) error { return nil })
		if !errors.Is(err, vault.ErrCorrupt) || !strings.Contains(err.Error(), "vault reset") {
			t.Errorf("read %+v of an account missing a record: %v", hint, err)
		}
	}
}

// TestRealmUngroupedByOlderWriter: an acctui that knows no realm groups
// may rewrite an account's records under their old tags and keep its
// summary; a hinted read then gives the whole account, not an error, and
// the next write puts the records back in their groups.
func TestRealmUngroupedByOlderWriter(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	v := open(t, opts)
	fillTenants(t, v, 0, 6)
	home := homeID(0)
	if err := v.UngroupForTest(strings.ToLower(home)); err != nil {
		t.Fatal(err)
	}
	hint := cache.Hint{HomeAccountID: home, Realm: tenantOf(4)}
	got, _ := readView(t, open(t, opts), hint, tenantOf(4))
	if len(got.atRealms) != 6 || got.token == "" {
		t.Fatalf("hinted read of the ungrouped account holds %+v", got)
	}
	err := v.Write(ctx, hint, func(c *cache.Cache) error { return c.SetMetadata("regroup-test", []byte(`{}`), 0) })
	if err != nil {
		t.Fatal(err)
	}
	// a write of the shared part leaves the account ungrouped; one of the
	// account regroups it
	err = v.Write(ctx, hint, func(c *cache.Cache) error {
		at, _ := c.FindAccessToken(cache.AccessTokenQuery{HomeAccountID: home, ClientID: testClientID, Realm: tenantOf(4)})
		at.Secret = "AT.after-regroup"
		return c.SaveAccessToken(at)
	})
	if err != nil {
		t.Fatal(err)
	}
	r := open(t, opts)
	if err := r.CheckRecords(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ = readView(t, r, hint, tenantOf(4))
	if !slices.Equal(got.atRealms, sortedStrings(testTenant, tenantOf(4))) || got.token != "AT.after-regroup" || got.refreshTokens != 1 {
		t.Errorf("hinted read after the regrouping write holds %+v", got)
	}
	if whole, _ := readView(t, r, cache.Hint{HomeAccountID: home}, tenantOf(4)); len(whole.atRealms) != 6 || len(whole.accountRealms) != 6 {
		t.Errorf("after regrouping the account holds %+v", whole)
	}
}

// TestFormat3OldTagsVaultIsRegrouped reads, writes and reads again a
// format 3 vault written before realm groups (testdata/format3-oldtags:
// main at ef74c06, passphrase "format3 fixture passphrase"; account 0 in
// three tenants, account 1 in one, account 0 active).
func TestFormat3OldTagsVaultIsRegrouped(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "acctui")
	copyTree(t, filepath.Join("testdata", "format3-oldtags"), dir)
	opts := vault.Options{Dir: dir, Backend: vault.BackendFile, PassphraseEnv: testPassphraseEnv,
		Getenv: env{testPassphraseEnv: "format3 fixture passphrase"}.get}
	home := homeID(0)
	second := "11111111-aaaa-bbbb-cccc-000000000001"

	v := open(t, opts)
	before := exportDoc(t, v)
	hint := cache.Hint{HomeAccountID: home, Realm: second}
	got, _ := readView(t, v, hint, second)
	if len(got.atRealms) != 3 || got.token != "AT.fixture.11111111" || got.refreshTokens != 1 {
		t.Fatalf("hinted read of the old vault holds %+v", got)
	}
	err := v.Write(ctx, hint, func(c *cache.Cache) error {
		at, _ := c.FindAccessToken(cache.AccessTokenQuery{HomeAccountID: home, ClientID: testClientID, Realm: second})
		at.Secret = "AT.fixture.rewritten"
		return c.SaveAccessToken(at)
	})
	if err != nil {
		t.Fatal(err)
	}
	r := open(t, opts)
	if err := r.CheckRecords(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ = readView(t, r, hint, second)
	if !slices.Equal(got.atRealms, sortedStrings(testTenant, second)) || got.token != "AT.fixture.rewritten" || got.refreshTokens != 1 {
		t.Errorf("hinted read after the write holds %+v", got)
	}
	after := exportDoc(t, r)
	for _, section := range []string{"Account", "RefreshToken", "IdToken", "AppMetadata"} {
		if string(before[section]) != string(after[section]) {
			t.Errorf("section %s changed: %s\nwas %s", section, after[section], before[section])
		}
	}
	if strings.Count(string(after["AccessToken"]), `"secret"`) != 4 || !strings.Contains(string(after["AccessToken"]), "AT.fixture.rewritten") ||
		strings.Contains(string(after["AccessToken"]), "AT.fixture.11111111") {
		t.Errorf("access tokens after the write: %s", after["AccessToken"])
	}
	if active, err := r.ActiveAccount(ctx); err != nil || !strings.EqualFold(active, home) {
		t.Errorf("active account after the write: %q, %v", active, err)
	}
	list, err := r.Accounts(ctx)
	if err != nil || len(list) != 2 || len(list[0].Realms)+len(list[1].Realms) != 4 {
		t.Errorf("accounts after the write: %+v, %v", list, err)
	}
}
