package cache

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func mustParseFile(t *testing.T, name string) *Cache {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(data)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return c
}

func TestParseMSALPython(t *testing.T) {
	c := mustParseFile(t, "msal_python.json")
	if got := c.Counts(); got != (Counts{AccessTokens: 2, RefreshTokens: 1, IDTokens: 1, Accounts: 1, AppMetadata: 1}) {
		t.Fatalf("counts %+v", got)
	}
	at, ok := c.FindAccessToken(AccessTokenQuery{
		HomeAccountID: "uid1.utid1", Environments: []string{worldwide}, ClientID: azureCLI,
		Realm: "utid1", Scopes: []string{armDefault},
	})
	if !ok {
		t.Fatal("ARM access token not found")
	}
	want := AccessToken{
		HomeAccountID: "uid1.utid1", Environment: worldwide, ClientID: azureCLI, Realm: "utid1",
		Target: armDefault + " " + armUser, Secret: "at-secret-arm", TokenType: "Bearer",
		CachedAt: 1700000000, ExpiresOn: 1700004000, ExtendedExpiresOn: 1700004000, RefreshOn: 1700002000,
	}
	if atSummary(at) != atSummary(want) || at.Extra != nil {
		t.Errorf("access token\n got %#v\nwant %#v", at, want)
	}
	// App-only token: home_account_id is null in the file.
	app, ok := c.FindAccessToken(AccessTokenQuery{Environments: []string{worldwide}, Scopes: []string{"https://graph.microsoft.com/.default"}})
	if !ok || app.Secret.Reveal() != "at-secret-app" {
		t.Fatalf("app-only token: ok=%v", ok)
	}
	rts := c.FindRefreshTokens(RefreshTokenQuery{HomeAccountID: "uid1.utid1", Environments: []string{worldwide}, FamilyID: "1"})
	if len(rts) != 1 || rts[0].Secret.Reveal() != "rt-secret-cli" || rts[0].LastModificationTime != 1700000000 {
		t.Fatalf("family refresh tokens: %+v", rts)
	}
	if got := rts[0].Key(); got != "uid1.utid1-login.microsoftonline.com-refreshtoken-04b07795-8ddb-461a-bbee-02f9e1bf7b46--"+armUser+" "+armDefault {
		t.Errorf("refresh token re-keyed to %q; the Azure CLI's unsorted target must stay", got)
	}
	accts := c.Accounts()
	if len(accts) != 1 || accts[0].Username != "alice@contoso.com" || accts[0].AccountSource == "" {
		t.Fatalf("accounts %+v", accts)
	}
	m, ok := c.FindAppMetadata(azureCLI, []string{worldwide})
	if !ok || m.FamilyID != "1" {
		t.Fatalf("app metadata %+v %v", m, ok)
	}
}

// atSummary joins the fields that matter of an access token for comparison.
func atSummary(at AccessToken) string {
	return strings.Join([]string{at.Key(), at.Secret.Reveal(), at.TokenType,
		itoa(at.CachedAt), itoa(at.ExpiresOn), itoa(at.ExtendedExpiresOn), itoa(at.RefreshOn)}, "|")
}

func TestParseMSALGo(t *testing.T) {
	c := mustParseFile(t, "msal_go.json")
	const home, client, other = "uid2.utid2", "11111111-2222-3333-4444-555555555555", "22222222-0000-0000-0000-000000000000"

	// MSAL Go keys are replaced by MSAL Python's.
	for _, want := range []string{
		"uid2.utid2-login.microsoftonline.com-refreshtoken-" + client + "--",
		"uid2.utid2-login.microsoftonline.com-refreshtoken-" + other + "--",
	} {
		if _, ok := c.refreshTokens.entries[want]; !ok {
			t.Errorf("no refresh token under %q; have %v", want, keysOf(c.refreshTokens.entries))
		}
	}
	if _, ok := c.idTokens.entries["uid2.utid2-login.microsoftonline.com-idtoken-"+client+"-utid2-"]; !ok {
		t.Errorf("id token not re-keyed: %v", keysOf(c.idTokens.entries))
	}

	at, ok := c.FindAccessToken(AccessTokenQuery{HomeAccountID: home, Environments: []string{worldwide}, ClientID: client, Scopes: []string{"User.Read"}})
	if !ok || at.Secret.Reveal() != "go-at-secret" {
		t.Fatalf("access token: ok=%v secret ok=%v", ok, at.Secret.Reveal() == "go-at-secret")
	}
	if at.CachedAt != 1700000100 || at.ExpiresOn != 1700003700 {
		t.Errorf("numeric epochs: cached_at %d expires_on %d", at.CachedAt, at.ExpiresOn)
	}
	// The "atext" token is kept but never served.
	if n := c.Counts().Unindexed; n != 1 {
		t.Errorf("unindexed = %d, want 1 (the atext token)", n)
	}
	if _, ok := c.accessTokens.orphans["uid2.utid2-login.microsoftonline.com-atext-"+client+"-utid2-user.read-abc123"]; !ok {
		t.Error("atext token not kept under its own key")
	}

	family := c.FindRefreshTokens(RefreshTokenQuery{HomeAccountID: home, Environments: []string{worldwide}, FamilyID: "1"})
	if len(family) != 1 || family[0].Secret.Reveal() != "go-frt-secret" {
		t.Errorf("family tokens: %d", len(family))
	}
	own := c.FindRefreshTokens(RefreshTokenQuery{HomeAccountID: home, Environments: []string{worldwide}, ClientID: other})
	if len(own) != 1 || own[0].Secret.Reveal() != "go-rt-secret" {
		t.Errorf("own tokens: %d", len(own))
	}
	if _, ok := own[0].Extra["user_assertion_hash"]; !ok {
		t.Error("unknown member user_assertion_hash lost")
	}
	accts := c.FindAccounts(AccountQuery{HomeAccountID: home})
	if len(accts) != 1 || string(accts[0].Extra["given_name"]) != `"Bob"` || accts[0].Extra["client_info"] == nil {
		t.Errorf("account extra members: %+v", accts)
	}
}

func TestParseUpperCaseKeys(t *testing.T) {
	c := mustParseFile(t, "v1_uppercase.json")
	wantKeys := []string{"uid3.utid3-login.windows.net-accesstoken-clientx-utid3-user.read"}
	if got := keysOf(c.accessTokens.entries); strings.Join(got, ",") != strings.Join(wantKeys, ",") {
		t.Errorf("access token keys %q, want %q", got, wantKeys)
	}
	if _, ok := c.accounts.entries["uid3.utid3-login.windows.net-utid3"]; !ok {
		t.Errorf("account keys %q", keysOf(c.accounts.entries))
	}
	// Lookups ignore case, and field values keep theirs.
	at, ok := c.FindAccessToken(AccessTokenQuery{HomeAccountID: "uid3.utid3", Environments: []string{"login.windows.net"}, ClientID: "clientx", Realm: "utid3", Scopes: []string{"user.read"}})
	if !ok || at.Environment != "Login.Windows.Net" {
		t.Fatalf("access token: ok=%v env=%q", ok, at.Environment)
	}
	if rts := c.FindRefreshTokens(RefreshTokenQuery{HomeAccountID: "UID3.utid3", ClientID: "CLIENTX"}); len(rts) != 1 {
		t.Errorf("refresh tokens %d", len(rts))
	}
}

func TestParseEmpty(t *testing.T) {
	for _, in := range []string{"", "  \n", "{}"} {
		c, err := Parse([]byte(in))
		if err != nil || c.Len() != 0 {
			t.Errorf("Parse(%q) = %v entries, %v", in, c, err)
		}
	}
}

func TestParseEpochForms(t *testing.T) {
	tests := []struct {
		raw  string
		want int64
		ok   bool
	}{
		{`"1700000000"`, 1700000000, true},
		{`1700000000`, 1700000000, true},
		{`1.7e9`, 1700000000, true},
		{`"1700000000.9"`, 1700000000, true},
		{`""`, 0, true},
		{`"soon"`, 0, false},
		{`true`, 0, false},
		{`{}`, 0, false},
		{`"NaN"`, 0, false},
		{`1e400`, 0, false},
	}
	for _, tt := range tests {
		in := `{"AccessToken":{"k":{"environment":"e","client_id":"c","expires_on":` + tt.raw + `}}}`
		c, err := Parse([]byte(in))
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok=%v", tt.raw, err, tt.ok)
			continue
		}
		if err == nil {
			at, _ := c.FindAccessToken(AccessTokenQuery{Environments: []string{"e"}})
			if at.ExpiresOn != tt.want {
				t.Errorf("%s: expires_on = %d, want %d", tt.raw, at.ExpiresOn, tt.want)
			}
		}
	}
}

// TestParseCollisions covers entries that map onto one canonical key.
func TestParseCollisions(t *testing.T) {
	in := `{
	  "RefreshToken": {
	    "h-e-refreshtoken-1": {"home_account_id":"h","environment":"e","client_id":"c","secret":"new","last_modification_time":"200"},
	    "H-E-REFRESHTOKEN-C--": {"home_account_id":"h","environment":"e","client_id":"c","secret":"old","last_modification_time":"100"}
	  },
	  "AccessToken": {
	    "x": {"home_account_id":"h","environment":"e","client_id":"c","realm":"r","target":"s","secret":"first","cached_at":"5"},
	    "y": {"home_account_id":"h","environment":"e","client_id":"c","realm":"r","target":"s","secret":"second","cached_at":"5"}
	  },
	  "Account": {
	    "h-e-r": {"home_account_id":"h","environment":"e","realm":"r","username":"first"},
	    "H-E-R": {"home_account_id":"h","environment":"e","realm":"r","username":"second"},
	    "no-home": {"environment":"e","realm":"r","username":"orphan"}
	  }
	}`
	c, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	rts := c.FindRefreshTokens(RefreshTokenQuery{HomeAccountID: "h", ClientID: "c"})
	if len(rts) != 1 || rts[0].Secret.Reveal() != "new" {
		t.Errorf("newer refresh token must win: %d found", len(rts))
	}
	if at, _ := c.FindAccessToken(AccessTokenQuery{HomeAccountID: "h"}); at.Secret.Reveal() != "second" {
		t.Error("on a tie the later access token must win")
	}
	if a := c.FindAccounts(AccountQuery{HomeAccountID: "h"}); len(a) != 1 || a[0].Username != "second" {
		t.Errorf("accounts %+v", a)
	}
	if _, ok := c.accounts.orphans["no-home"]; !ok || c.Counts().Unindexed != 1 {
		t.Error("account without home_account_id must be kept unindexed under its key")
	}
	if len(c.Accounts()) != 1 {
		t.Error("Accounts must not list unindexed entries")
	}
}

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	tests := []struct {
		name, in string
	}{
		{"not json", "not json"},
		{"truncated", `{"AccessToken": {"k": {"secret": "x"`},
		{"array", `[]`},
		{"string", `"AccessToken"`},
		{"trailing data", `{} {}`},
		{"section is array", `{"AccessToken": []}`},
		{"section is string", `{"RefreshToken": "x"}`},
		{"entry is number", `{"IdToken": {"k": 1}}`},
		{"entry is null", `{"Account": {"k": null}}`},
		{"secret is object", `{"AccessToken": {"k": {"secret": {"a": 1}}}}`},
		{"client_id is number", `{"AppMetadata": {"k": {"client_id": 5}}}`},
		{"metadata not object", `{"AcctuiMetadata": 3}`},
		{"deep unknown section", `{"X": ` + deep + `}`},
		{"deep entry", `{"AccessToken": {"k": {"x": ` + deep + `}}}`},
		{"deep top", deep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("no error; got %v", c)
			}
			if !strings.HasPrefix(err.Error(), "cache: parse: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestParseNullSection(t *testing.T) {
	c, err := Parse([]byte(`{"AccessToken": null, "Account": {}}`))
	if err != nil || c.Len() != 0 {
		t.Fatalf("null section: %v", err)
	}
}
