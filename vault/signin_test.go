package vault_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/engine/idptest"
	"acctui/vault"
)

func TestSignInLeavesNoTokenOnDisk(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	// The vault lives where it would for a user whose XDG_DATA_HOME is
	// under root: root/data/acctui, with the file keyring inside.
	opts := vault.Options{
		Backend:       vault.BackendFile,
		PassphraseEnv: testPassphraseEnv,
		Getenv: env{
			"XDG_DATA_HOME":   filepath.Join(root, "data"),
			testPassphraseEnv: testPassphrase,
		}.get,
	}
	v := open(t, opts)
	if want := filepath.Join(root, "data", "acctui", vault.DBFileName); v.Path() != want {
		t.Fatalf("vault at %s, want %s", v.Path(), want)
	}

	srv := idptest.Start(t, idptest.Options{TLS: true})
	client, err := engine.New(engine.Config{
		ClientID:   idptest.AzureCLIClientID,
		Authority:  srv.Authority("contoso"),
		HTTPClient: srv.Client(),
		Cache:      v,
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := client.AcquireTokenByUsernamePassword(ctx, []string{"https://graph.microsoft.com/.default"},
		"alice@contoso.example", engine.Secret("demo-alice"))
	if err != nil {
		t.Fatal(err)
	}

	// Every token the sign-in produced, as the vault holds them.
	secrets := map[string]string{"access token": res.AccessToken.Reveal(), "id token": res.IDToken.Reveal()}
	err = open(t, opts).Read(ctx, cache.Hint{HomeAccountID: res.Account.HomeAccountID}, func(c *cache.Cache) error {
		for _, rt := range c.FindRefreshTokens(cache.RefreshTokenQuery{HomeAccountID: res.Account.HomeAccountID}) {
			secrets["refresh token"] = rt.Secret.Reveal()
		}
		for _, at := range c.FindAccessTokens(cache.AccessTokenQuery{HomeAccountID: res.Account.HomeAccountID}) {
			if at.Secret.Reveal() != res.AccessToken.Reveal() {
				t.Error("the vault holds another access token than the sign-in returned")
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range secrets {
		if len(s) < 32 {
			t.Fatalf("the %s has only %d characters, too few to search for", name, len(s))
		}
	}
	// The account is listed from the index.
	if got, err := v.ResolveAccount(ctx, "alice@contoso.example"); err != nil || len(got) != 1 {
		t.Errorf("ResolveAccount(alice) = %+v, %v", got, err)
	}

	// Read every file under root: the vault directory, the keyring inside
	// it and their parents up to the test's temporary root.
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for name, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds the %s in the clear", path, name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 3 { // vault file, lock file, keyring item
		t.Errorf("read only %d files", files)
	}
	// The search itself works: the one plaintext path shows every token.
	export := filepath.Join(t.TempDir(), "export.json")
	if err := v.ExportPlaintext(ctx, export); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(export)
	for name, s := range secrets {
		if !bytes.Contains(data, []byte(s)) {
			t.Errorf("the plaintext export lacks the %s", name)
		}
	}
}
