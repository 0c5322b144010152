package vault_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/vault"
)

const (
	testPassphrase = "correct horse battery staple"
	testClientID   = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
	testEnv        = "login.microsoftonline.com"
	testTenant     = "72f988bf-86f1-41af-91ab-2d7cd011db47"
)

// env is a fake environment for Options.Getenv.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// The names the vault is told to use, as acctui tells it.
const (
	testPassphraseEnv = "ACCTUI_VAULT_PASSPHRASE"
	testResetCommand  = "acctui vault reset"
)

// fileOptions returns options for a vault in a fresh directory using the
// file backend, unlocked by the passphrase in testPassphraseEnv.
func fileOptions(t testing.TB) vault.Options {
	t.Helper()
	return vault.Options{
		Dir:     filepath.Join(t.TempDir(), "acctui"),
		Backend: vault.BackendFile,
		Getenv:  env{testPassphraseEnv: testPassphrase}.get,

		PassphraseEnv: testPassphraseEnv,
		ResetCommand:  testResetCommand,
	}
}

// open returns a new Vault for opts, closed at the end of the test.
func open(t testing.TB, opts vault.Options) *vault.Vault {
	t.Helper()
	v, err := vault.Open(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return v
}

// homeID is the home account id of test account i.
func homeID(i int) string {
	return fmt.Sprintf("%08x-1111-2222-3333-%012x.%s", i, i, testTenant)
}

// username is the username of test account i.
func username(i int) string { return fmt.Sprintf("user%04d@contoso.example", i) }

// randomSecret returns a token-like random string of about n characters
// with a recognisable prefix.
func randomSecret(prefix string, n int) cache.Secret {
	b := make([]byte, n*3/4)
	rand.Read(b)
	return cache.Secret(prefix + base64.RawURLEncoding.EncodeToString(b))
}

// addAccount stores test account i with an access, refresh and ID token
// whose secrets are about secretLen characters long.
func addAccount(c *cache.Cache, i, secretLen int) error {
	h := homeID(i)
	now := time.Now().Unix()
	steps := []error{
		c.SaveAccount(cache.Account{HomeAccountID: h, Environment: testEnv, Realm: testTenant,
			LocalAccountID: h[:36], Username: username(i), AuthorityType: cache.AuthorityTypeMSSTS}),
		c.SaveAccessToken(cache.AccessToken{HomeAccountID: h, Environment: testEnv, ClientID: testClientID,
			Realm: testTenant, Target: "https://graph.microsoft.com/.default",
			Secret: randomSecret("AT.", secretLen), CachedAt: now, ExpiresOn: now + 3600, ExtendedExpiresOn: now + 3600}),
		c.SaveRefreshToken(cache.RefreshToken{HomeAccountID: h, Environment: testEnv, ClientID: testClientID,
			Secret: randomSecret("RT.", secretLen), FamilyID: "1"}, now),
		c.SaveIDToken(cache.IDToken{HomeAccountID: h, Environment: testEnv, Realm: testTenant, ClientID: testClientID,
			Secret: randomSecret("ID.", secretLen)}),
		c.SaveAppMetadata(cache.AppMetadata{ClientID: testClientID, Environment: testEnv, FamilyID: "1"}),
	}
	for _, err := range steps {
		if err != nil {
			return err
		}
	}
	return nil
}

// addTinyAccount stores test account i as an Account entry only, for
// tests that write many accounts many times.
func addTinyAccount(c *cache.Cache, i int) error {
	return c.SaveAccount(cache.Account{HomeAccountID: homeID(i), Environment: testEnv, Realm: testTenant,
		Username: username(i), AuthorityType: cache.AuthorityTypeMSSTS})
}

// fill adds accounts from..to-1 through one Update.
func fill(t testing.TB, v *vault.Vault, from, to, secretLen int) {
	t.Helper()
	err := v.Update(context.Background(), func(c *cache.Cache) error {
		for i := from; i < to; i++ {
			if err := addAccount(c, i, secretLen); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// usernames reads the whole cache and returns its accounts' usernames.
func usernames(t testing.TB, v *vault.Vault) []string {
	t.Helper()
	var names []string
	err := v.Read(context.Background(), cache.Hint{}, func(c *cache.Cache) error {
		for _, a := range c.Accounts() {
			names = append(names, a.Username)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// snapshotDir returns every regular file under dir with its content.
func snapshotDir(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		files[path] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameDir fails the test when dir's files differ from before.
func sameDir(t testing.TB, dir string, before map[string][]byte) {
	t.Helper()
	after := snapshotDir(t, dir)
	for path, b := range before {
		a, ok := after[path]
		switch {
		case !ok:
			t.Errorf("%s disappeared", path)
		case !bytes.Equal(a, b):
			t.Errorf("%s changed", path)
		}
	}
	for path := range after {
		if _, ok := before[path]; !ok && !strings.HasSuffix(path, ".lock") {
			t.Errorf("%s appeared", path)
		}
	}
}

// jsonUnmarshal is encoding/json's Unmarshal.
var jsonUnmarshal = json.Unmarshal
