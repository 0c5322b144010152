package vault_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/engine/idptest"
	"acctui/vault"
)

// A vault is the engine's CacheStore: tokens a sign-in returns are sealed
// on disk, and a later process (here a second Open) reads them back. This
// one uses the file backend, whose passphrase comes from the environment
// (Getenv stands in for it).
func Example() {
	dir, err := os.MkdirTemp("", "vault-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	opts := vault.Options{
		Dir:     filepath.Join(dir, "acctui"),
		Backend: vault.BackendFile,
		// The file keyring's passphrase comes from this variable; a
		// program that prompts sets Passphrase too.
		PassphraseEnv: "EXAMPLE_VAULT_PASSPHRASE",
		ResetCommand:  "example vault reset",
		Getenv: func(name string) string {
			if name == "EXAMPLE_VAULT_PASSPHRASE" {
				return "correct horse battery staple"
			}
			return ""
		},
	}
	ctx := context.Background()

	// Sign in through the engine with the vault as its cache.
	srv, err := idptest.New(idptest.Options{Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	v, err := vault.Open(ctx, opts)
	if err != nil {
		log.Fatal(err)
	}
	client, err := engine.New(engine.Config{ClientID: idptest.AzureCLIClientID, Authority: srv.Authority("organizations"),
		HTTPClient: srv.Client(), Cache: v, Now: srv.Now})
	if err != nil {
		log.Fatal(err)
	}
	graph := []string{"https://graph.microsoft.com/.default"}
	r, err := client.AcquireTokenByUsernamePassword(ctx, graph,
		"alice@contoso.example", engine.Secret("demo-alice"))
	if err != nil {
		log.Fatal(err)
	}
	v.Close()

	// What is on disk is sealed: the access token is not in it.
	onDisk, err := os.ReadFile(v.Path())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("token on disk in the clear:", bytes.Contains(onDisk, []byte(r.AccessToken.Reveal())))

	// Open again, list, read and update.
	v, err = vault.Open(ctx, opts)
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	accounts, err := v.Accounts(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("accounts:", accounts[0].Usernames)
	err = v.Read(ctx, cache.Hint{HomeAccountID: r.Account.HomeAccountID}, func(c *cache.Cache) error {
		fmt.Println("access tokens:", len(c.FindAccessTokens(cache.AccessTokenQuery{HomeAccountID: r.Account.HomeAccountID})))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	err = v.Update(ctx, func(c *cache.Cache) error {
		for _, at := range c.FindAccessTokens(cache.AccessTokenQuery{HomeAccountID: r.Account.HomeAccountID}) {
			c.RemoveAccessToken(at)
		}
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Without its access token, the next silent call redeems the refresh
	// token the vault still holds.
	again, err := client.AcquireTokenSilent(ctx, graph, r.Account)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("after the update:", again.Source)
	// Output:
	// token on disk in the clear: false
	// accounts: [alice@contoso.example]
	// access tokens: 1
	// after the update: identity_provider
}
