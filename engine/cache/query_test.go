package cache

import (
	"errors"
	"testing"
)

const home = "uid.utid"

var aliases = []string{worldwide, "login.windows.net", "login.microsoft.com", "sts.windows.net"}

func seed(t *testing.T) *Cache {
	t.Helper()
	c := New()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(c.SaveAccessToken(AccessToken{HomeAccountID: home, Environment: worldwide, ClientID: azureCLI, Realm: "tenant1",
		Target: armUser + " " + armDefault, Secret: "arm-t1", ExpiresOn: 100}))
	must(c.SaveAccessToken(AccessToken{HomeAccountID: home, Environment: "login.windows.net", ClientID: azureCLI, Realm: "tenant2",
		Target: armDefault, Secret: "arm-t2", ExpiresOn: 200}))
	must(c.SaveAccessToken(AccessToken{HomeAccountID: home, Environment: worldwide, ClientID: "other-app", Realm: "tenant1",
		Target: "User.Read openid", Secret: "graph", ExpiresOn: 300}))
	must(c.SaveAccessToken(AccessToken{HomeAccountID: home, Environment: worldwide, ClientID: azureCLI, Realm: "tenant1",
		Target: "ssh", Secret: "cert", TokenType: "ssh-cert", KeyID: "k1", ExpiresOn: 400}))
	must(c.SaveAccessToken(AccessToken{HomeAccountID: "someone.else", Environment: worldwide, ClientID: azureCLI, Realm: "tenant1",
		Target: armDefault, Secret: "else", ExpiresOn: 500}))
	must(c.SaveRefreshToken(RefreshToken{HomeAccountID: home, Environment: worldwide, ClientID: azureCLI, FamilyID: "1", Secret: "cli-frt"}, 10))
	must(c.SaveRefreshToken(RefreshToken{HomeAccountID: home, Environment: worldwide, ClientID: "teams", FamilyID: "1", Secret: "teams-frt"}, 30))
	must(c.SaveRefreshToken(RefreshToken{HomeAccountID: home, Environment: worldwide, ClientID: "other-app", Secret: "own-rt", Target: "User.Read"}, 20))
	must(c.SaveRefreshToken(RefreshToken{HomeAccountID: home, Environment: "login.windows.net", ClientID: "other-app", Secret: "own-rt-alias"}, 25))
	must(c.SaveIDToken(IDToken{HomeAccountID: home, Environment: worldwide, ClientID: azureCLI, Realm: "tenant1", Secret: "idt1"}))
	must(c.SaveIDToken(IDToken{HomeAccountID: home, Environment: worldwide, ClientID: azureCLI, Realm: "tenant2", Secret: "idt2"}))
	must(c.SaveAccount(Account{HomeAccountID: home, Environment: worldwide, Realm: "tenant1", Username: "alice"}))
	must(c.SaveAccount(Account{HomeAccountID: home, Environment: worldwide, Realm: "tenant2", Username: "alice"}))
	must(c.SaveAccount(Account{HomeAccountID: "someone.else", Environment: worldwide, Realm: "tenant1", Username: "bob"}))
	must(c.SaveAppMetadata(AppMetadata{ClientID: azureCLI, Environment: worldwide, FamilyID: "1"}))
	return c
}

func TestFindAccessToken(t *testing.T) {
	c := seed(t)
	tests := []struct {
		name string
		q    AccessTokenQuery
		want string // secret, "" for no match
	}{
		{"exact", AccessTokenQuery{HomeAccountID: home, Environments: []string{worldwide}, ClientID: azureCLI, Realm: "tenant1", Scopes: []string{armDefault}}, "arm-t1"},
		{"subset of target", AccessTokenQuery{HomeAccountID: home, Environments: []string{worldwide}, ClientID: azureCLI, Realm: "tenant1", Scopes: []string{armUser}}, "arm-t1"},
		{"scopes ignore case", AccessTokenQuery{HomeAccountID: home, Environments: aliases, ClientID: "other-app", Scopes: []string{"user.read", "OPENID"}}, "graph"},
		{"scope missing", AccessTokenQuery{HomeAccountID: home, Environments: aliases, ClientID: "other-app", Scopes: []string{"Mail.Read"}}, ""},
		{"alias environment", AccessTokenQuery{HomeAccountID: home, Environments: aliases, ClientID: azureCLI, Realm: "tenant2", Scopes: []string{armDefault}}, "arm-t2"},
		{"environment not in list", AccessTokenQuery{HomeAccountID: home, Environments: []string{worldwide}, ClientID: azureCLI, Realm: "tenant2"}, ""},
		{"any realm picks latest expiry", AccessTokenQuery{HomeAccountID: home, Environments: aliases, ClientID: azureCLI, Scopes: []string{armDefault}}, "arm-t2"},
		{"home and client ignore case", AccessTokenQuery{HomeAccountID: "UID.UTID", Environments: []string{"LOGIN.MICROSOFTONLINE.COM"}, ClientID: "04B07795-8DDB-461A-BBEE-02F9E1BF7B46", Realm: "TENANT1"}, "arm-t1"},
		{"other account", AccessTokenQuery{HomeAccountID: "someone.else", Environments: aliases}, "else"},
		{"unknown account", AccessTokenQuery{HomeAccountID: "nobody", Environments: aliases}, ""},
		{"ssh cert only by key id", AccessTokenQuery{HomeAccountID: home, Environments: aliases, Scopes: []string{"ssh"}}, ""},
		{"ssh cert by key id and type", AccessTokenQuery{HomeAccountID: home, Environments: aliases, Scopes: []string{"ssh"}, KeyID: "k1", TokenType: "ssh-cert"}, "cert"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, ok := c.FindAccessToken(tt.q)
			if ok != (tt.want != "") || at.Secret.Reveal() != tt.want {
				t.Errorf("got %q (ok=%v), want %q", at.Secret.Reveal(), ok, tt.want)
			}
		})
	}
	all := c.FindAccessTokens(AccessTokenQuery{HomeAccountID: home, Environments: aliases, ClientID: azureCLI})
	if len(all) != 2 || all[0].Secret.Reveal() != "arm-t2" || all[1].Secret.Reveal() != "arm-t1" {
		t.Errorf("FindAccessTokens order: %d found", len(all))
	}
}

func TestFindAccessTokenReturnsCopy(t *testing.T) {
	c := seed(t)
	q := AccessTokenQuery{HomeAccountID: home, Environments: []string{worldwide}, ClientID: "other-app"}
	at, _ := c.FindAccessToken(q)
	at.Secret = "changed"
	if again, _ := c.FindAccessToken(q); again.Secret.Reveal() != "graph" {
		t.Error("editing a looked-up entry changed the cache")
	}
}

func TestRemoveAccessToken(t *testing.T) {
	c := seed(t)
	q := AccessTokenQuery{HomeAccountID: home, Environments: []string{worldwide}, ClientID: "other-app"}
	at, _ := c.FindAccessToken(q)
	if !c.RemoveAccessToken(at) || c.RemoveAccessToken(at) {
		t.Fatal("RemoveAccessToken must report true once")
	}
	if _, ok := c.FindAccessToken(q); ok {
		t.Error("removed token still found")
	}
}

func TestFindRefreshTokens(t *testing.T) {
	c := seed(t)
	secrets := func(rts []RefreshToken) []string {
		var out []string
		for _, rt := range rts {
			out = append(out, rt.Secret.Reveal())
		}
		return out
	}
	tests := []struct {
		name string
		q    RefreshTokenQuery
		want []string
	}{
		{"family, newest first", RefreshTokenQuery{HomeAccountID: home, Environments: aliases, FamilyID: "1"}, []string{"teams-frt", "cli-frt"}},
		{"own client across aliases", RefreshTokenQuery{HomeAccountID: home, Environments: aliases, ClientID: "other-app"}, []string{"own-rt-alias", "own-rt"}},
		{"own client, one environment", RefreshTokenQuery{HomeAccountID: home, Environments: []string{worldwide}, ClientID: "other-app"}, []string{"own-rt"}},
		{"client and family union without duplicates", RefreshTokenQuery{HomeAccountID: home, Environments: []string{worldwide}, ClientID: azureCLI, FamilyID: "1"}, []string{"teams-frt", "cli-frt"}},
		{"repeated alias", RefreshTokenQuery{HomeAccountID: home, Environments: []string{worldwide, "Login.MicrosoftOnline.com"}, ClientID: azureCLI}, []string{"cli-frt"}},
		{"all of the account", RefreshTokenQuery{HomeAccountID: home}, []string{"teams-frt", "own-rt-alias", "own-rt", "cli-frt"}},
		{"nothing for unknown client", RefreshTokenQuery{HomeAccountID: home, ClientID: "nope"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := secrets(c.FindRefreshTokens(tt.q))
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %q, want %q", got, tt.want)
				}
			}
		})
	}
}

func TestUpdateRefreshTokenSecret(t *testing.T) {
	c := seed(t)
	c.ResetStateChanged()
	rts := c.FindRefreshTokens(RefreshTokenQuery{HomeAccountID: home, ClientID: azureCLI})
	if err := c.UpdateRefreshTokenSecret(rts[0], "rotated", 99); err != nil {
		t.Fatal(err)
	}
	got := c.FindRefreshTokens(RefreshTokenQuery{HomeAccountID: home, ClientID: azureCLI})
	if got[0].Secret.Reveal() != "rotated" || got[0].LastModificationTime != 99 || got[0].Key() != rts[0].Key() {
		t.Errorf("updated entry: key %q lmt %d", got[0].Key(), got[0].LastModificationTime)
	}
	if !c.HasStateChanged() {
		t.Error("update did not mark the cache changed")
	}
	err := c.UpdateRefreshTokenSecret(RefreshToken{HomeAccountID: "x", Environment: "e", ClientID: "c"}, "s", 1)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("update of a missing token: %v", err)
	}
}

func TestFindIDTokenAccountsAppMetadata(t *testing.T) {
	c := seed(t)
	it, ok := c.FindIDToken(IDTokenQuery{HomeAccountID: home, Environments: aliases, ClientID: azureCLI, Realm: "tenant2"})
	if !ok || it.Secret.Reveal() != "idt2" {
		t.Errorf("id token by realm: %v", ok)
	}
	if it, _ := c.FindIDToken(IDTokenQuery{HomeAccountID: home, ClientID: azureCLI}); it.Secret.Reveal() != "idt1" {
		t.Error("id token with any realm must be the smallest key")
	}
	if _, ok := c.FindIDToken(IDTokenQuery{HomeAccountID: home, ClientID: "other-app"}); ok {
		t.Error("id token of another client found")
	}
	if a := c.FindAccounts(AccountQuery{HomeAccountID: home, Environments: aliases}); len(a) != 2 || a[0].Realm != "tenant1" {
		t.Errorf("accounts of home: %+v", a)
	}
	if a := c.FindAccounts(AccountQuery{HomeAccountID: home, Realm: "TENANT2"}); len(a) != 1 {
		t.Errorf("account by realm: %+v", a)
	}
	all := c.Accounts()
	if len(all) != 3 || all[0].HomeAccountID != "someone.else" {
		t.Errorf("Accounts order: %+v", all)
	}
	if m, ok := c.FindAppMetadata(azureCLI, aliases); !ok || m.FamilyID != "1" {
		t.Error("app metadata not found through aliases")
	}
	if m, ok := c.FindAppMetadata(azureCLI, nil); !ok || m.Environment != worldwide {
		t.Error("app metadata with any environment")
	}
	if _, ok := c.FindAppMetadata(azureCLI, []string{"login.windows.net"}); ok {
		t.Error("app metadata found in the wrong environment")
	}
}

func TestSaveIncomplete(t *testing.T) {
	c := New()
	errs := []error{
		c.SaveAccessToken(AccessToken{HomeAccountID: "h", ClientID: "c"}),
		c.SaveRefreshToken(RefreshToken{HomeAccountID: "h", Environment: "e"}, 1),
		c.SaveIDToken(IDToken{Environment: "e"}),
		c.SaveAccount(Account{Environment: "e"}),
		c.SaveAppMetadata(AppMetadata{ClientID: "c"}),
	}
	for i, err := range errs {
		if !errors.Is(err, ErrIncomplete) {
			t.Errorf("save %d: %v, want ErrIncomplete", i, err)
		}
	}
	if c.Len() != 0 || c.HasStateChanged() {
		t.Error("failed saves changed the cache")
	}
}

func TestSaveReplacesAndReindexes(t *testing.T) {
	c := New()
	rt := RefreshToken{HomeAccountID: "h", Environment: "e", ClientID: "c", FamilyID: "1", Secret: "a"}
	if err := c.SaveRefreshToken(rt, 1); err != nil {
		t.Fatal(err)
	}
	rt.FamilyID, rt.Secret = "", "b"
	if err := c.SaveRefreshToken(rt, 2); err != nil {
		t.Fatal(err)
	}
	if got := c.FindRefreshTokens(RefreshTokenQuery{HomeAccountID: "h", FamilyID: "1"}); len(got) != 0 {
		t.Error("stale family index entry after replacing the token")
	}
	if got := c.FindRefreshTokens(RefreshTokenQuery{HomeAccountID: "h", ClientID: "c"}); len(got) != 1 || got[0].Secret.Reveal() != "b" {
		t.Error("replacement not found")
	}
	if c.Len() != 1 {
		t.Errorf("Len = %d", c.Len())
	}
}
