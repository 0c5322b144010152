package vault_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/vault"
)

// sections marshals c and returns its top-level sections.
func sections(t *testing.T, c *cache.Cache) map[string]json.RawMessage {
	t.Helper()
	doc, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// oneToken is a cache with account i and one access token of secret,
// cached at cachedAt.
func oneToken(t *testing.T, i int, secret string, cachedAt int64) map[string]json.RawMessage {
	t.Helper()
	c := cache.New()
	h := homeID(i)
	err := errors.Join(
		c.SaveAccount(cache.Account{HomeAccountID: h, Environment: testEnv, Realm: testTenant,
			Username: username(i), AuthorityType: cache.AuthorityTypeMSSTS}),
		c.SaveAccessToken(cache.AccessToken{HomeAccountID: h, Environment: testEnv, ClientID: testClientID,
			Realm: testTenant, Target: "https://graph.microsoft.com/.default", Secret: cache.Secret(secret),
			CachedAt: cachedAt, ExpiresOn: cachedAt + 3600, ExtendedExpiresOn: cachedAt + 3600}))
	if err != nil {
		t.Fatal(err)
	}
	return sections(t, c)
}

// importDoc writes doc to a file, imports it into a new vault and returns
// the vault and the report.
func importDoc(t *testing.T, doc string) (*vault.Vault, vault.ImportReport) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "msal.json")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	v := open(t, fileOptions(t))
	rep, err := v.ImportMSAL(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	return v, rep
}

// secrets returns the access token secrets of the vault.
func secrets(t *testing.T, v *vault.Vault) []string {
	t.Helper()
	var out []string
	err := v.Read(context.Background(), cache.Hint{}, func(c *cache.Cache) error {
		for _, a := range c.Accounts() {
			for _, at := range c.FindAccessTokens(cache.AccessTokenQuery{HomeAccountID: a.HomeAccountID}) {
				out = append(out, string(at.Secret))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportReadsRepeatedNamesAsPython checks the rule of Python's json,
// which MSAL Python (and so the Azure CLI) reads caches with: a name that
// occurs twice in an object keeps its last value, whole. Uniting the two
// values instead, or letting the newer token win, would give acctui a
// different cache than MSAL sees in the same file.
func TestImportReadsRepeatedNamesAsPython(t *testing.T) {
	newer := oneToken(t, 0, "AT.newer", 2000)
	older := oneToken(t, 0, "AT.older", 1000)
	other := oneToken(t, 1, "AT.other", 1000)
	var key string
	var olderAT map[string]json.RawMessage
	json.Unmarshal(older["AccessToken"], &olderAT)
	for k := range olderAT {
		key = k
	}
	newerEntry := strings.TrimPrefix(strings.TrimSuffix(string(newer["AccessToken"]), "}"), "{")
	olderEntry := strings.TrimPrefix(strings.TrimSuffix(string(older["AccessToken"]), "}"), "{")
	if !strings.HasPrefix(newerEntry, `"`+key) && !strings.Contains(newerEntry, key) {
		t.Fatal("the two tokens do not share a key")
	}

	tests := []struct {
		name        string
		doc         string
		wantSecrets []string
		wantUsers   []string
	}{
		{"section repeated: the last one whole",
			`{"Account": ` + string(newer["Account"]) + `, "AccessToken": ` + string(newer["AccessToken"]) +
				`, "Account": ` + string(other["Account"]) + `, "AccessToken": ` + string(other["AccessToken"]) + `}`,
			[]string{"AT.other"}, []string{username(1)}},
		{"entry repeated: the last one, though older",
			`{"Account": ` + string(newer["Account"]) + `, "AccessToken": {` + newerEntry + `, ` + olderEntry + `}}`,
			[]string{"AT.older"}, []string{username(0)}},
		{"section repeated, older last",
			`{"Account": ` + string(newer["Account"]) + `, "AccessToken": ` + string(newer["AccessToken"]) +
				`, "AccessToken": ` + string(older["AccessToken"]) + `}`,
			[]string{"AT.older"}, []string{username(0)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var py map[string]any
			if err := json.Unmarshal([]byte(tc.doc), &py); err != nil {
				t.Fatal(err) // Go's encoding/json also keeps the last value
			}
			v, rep := importDoc(t, tc.doc)
			if got := secrets(t, v); strings.Join(got, ",") != strings.Join(tc.wantSecrets, ",") {
				t.Errorf("access tokens %v, want %v", got, tc.wantSecrets)
			}
			if got := usernames(t, v); strings.Join(got, ",") != strings.Join(tc.wantUsers, ",") {
				t.Errorf("accounts %v, want %v", got, tc.wantUsers)
			}
			if rep.AccountsInFile != len(tc.wantUsers) {
				t.Errorf("report counts %d accounts in the file", rep.AccountsInFile)
			}
		})
	}
}

func TestImportCapsUnknownSections(t *testing.T) {
	ctx := context.Background()
	base := oneToken(t, 0, "AT.x", 1000)
	junk := strings.Repeat("j", 1<<20)
	doc := `{"Account": ` + string(base["Account"]) + `, "AccessToken": ` + string(base["AccessToken"]) +
		`, "SmallTool": {"setting": 1}, "Junk\u001b[31m": "` + junk + `", "LaterTool": [1, 2]}`
	v, rep := importDoc(t, doc)

	if len(rep.Dropped) != 1 || rep.Dropped[0].Name != "Junk\x1b[31m" || rep.Dropped[0].Bytes != len(junk)+2 {
		t.Fatalf("dropped %+v, want the junk section", rep.Dropped)
	}
	s := rep.String()
	if !strings.Contains(s, "dropped 1 unknown section") || !strings.Contains(s, `Junk\\x1b[31m`) || strings.ContainsRune(s, 0x1b) {
		t.Errorf("report %q does not name the dropped section safely", s)
	}
	// What every later `token` parses, the shared record, stays small and
	// keeps the small sections.
	var shared []byte
	err := v.Read(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		var err error
		shared, err = c.Marshal()
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(shared) > 64<<10 {
		t.Errorf("the shared record holds %d bytes", len(shared))
	}
	for _, want := range []string{"SmallTool", "LaterTool"} {
		if !strings.Contains(string(shared), want) {
			t.Errorf("section %s was not kept", want)
		}
	}

	// Many sections, each small, stop at the total.
	var b strings.Builder
	b.WriteString(`{`)
	for i := range 40 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"Tool` + string(rune('A'+i%26)) + string(rune('a'+i/26)) + `": "` + strings.Repeat("x", 10<<10) + `"`)
	}
	b.WriteString(`}`)
	_, rep = importDoc(t, b.String())
	if len(rep.Dropped) == 0 || len(rep.Dropped) == 40 {
		t.Errorf("%d of 40 sections of 10 KB dropped", len(rep.Dropped))
	}
}

func TestImportBoundedRead(t *testing.T) {
	ctx := context.Background()
	v := open(t, fileOptions(t))
	defer vault.SetMaxImportSize(1 << 20)()
	_, err := v.ImportMSAL(ctx, "/dev/zero")
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("import of /dev/zero: %v", err)
	}

	// A FIFO no one writes to: the import ends when its context does.
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := mkfifo(fifo); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { _, err := v.ImportMSAL(cctx, fifo); done <- err }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled import of a FIFO: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the import of a FIFO did not end when cancelled")
	}

	// One a writer keeps open without writing: the read is woken too.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cctx, cancel = context.WithCancel(ctx)
	go func() { _, err := v.ImportMSAL(cctx, fifo); done <- err }()
	w.Write([]byte(`{"Account": {`))
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled import of an open FIFO: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the import of an open FIFO did not end when cancelled")
	}
}

func TestImportMergesIntoExistingAccounts(t *testing.T) {
	ctx := context.Background()
	v := open(t, fileOptions(t))
	fill(t, v, 0, 3, 20)
	if err := saveAccessToken(v, 1, "AT.vault-newer", 3_000_000_000); err != nil {
		t.Fatal(err)
	}
	older := oneToken(t, 1, "AT.file-older", 1000)
	extra := oneToken(t, 7, "AT.file-new-account", 1000)
	doc := `{"AccessToken": {` + strings.Trim(string(older["AccessToken"]), "{}") + `,` + strings.Trim(string(extra["AccessToken"]), "{}") +
		`}, "Account": ` + string(extra["Account"]) + `, "RefreshToken": null, "Unknown": {"a": 1}}`
	path := filepath.Join(t.TempDir(), "msal.json")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := v.ImportMSAL(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if rep.AccountsInFile != 1 || rep.AccountsBefore != 3 || rep.AccountsAfter != 4 || rep.Imported.AccessTokens != 2 {
		t.Errorf("report %+v", rep)
	}
	got := strings.Join(secrets(t, v), ",")
	for _, want := range []string{"AT.vault-newer", "AT.file-new-account"} {
		if !strings.Contains(got, want) {
			t.Errorf("access tokens %s lack %s", got, want)
		}
	}
	if strings.Contains(got, "AT.file-older") {
		t.Errorf("an older token from the file replaced the vault's: %s", got)
	}
	if l, err := v.Accounts(ctx); err != nil || len(l) != 4 {
		t.Errorf("accounts after import: %d, %v", len(l), err)
	}
}

// TestImportNeverTakesAcctuiMetadata: a file carrying acctui's own
// metadata section (cached discovery that could name another token
// endpoint, an active account, an app's credential) imports its tokens
// but none of that, and the report says so.
func TestImportNeverTakesAcctuiMetadata(t *testing.T) {
	ctx := context.Background()
	base := oneToken(t, 0, "AT.x", 1000)
	doc := `{"Account": ` + string(base["Account"]) + `, "AccessToken": ` + string(base["AccessToken"]) +
		`, "AcctuiMetadata": {"planted.discovery": {"value": {"token_endpoint": "https://evil.example/token"}, "expires_on": "0"}}}`
	v, rep := importDoc(t, doc)
	if rep.AccountsAfter != 1 {
		t.Fatalf("the tokens were not imported: %+v", rep)
	}
	if s := rep.String(); !strings.Contains(s, `ignored its "AcctuiMetadata" section`) {
		t.Errorf("report %q does not say the section was ignored", s)
	}
	err := v.Read(ctx, cache.Hint{}, func(c *cache.Cache) error {
		if _, ok := c.Metadata("planted.discovery", 0); ok {
			t.Error("the planted metadata reached the vault")
		}
		all, err := c.Marshal()
		if err == nil && strings.Contains(string(all), "evil.example") {
			t.Error("the vault holds the planted endpoint")
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
