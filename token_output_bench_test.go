package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/vault"
)

// benchTenant and benchAccounts shape the vault the token benchmarks
// read: 1 000 accounts, each with an access token for token's default
// scope.
const (
	benchTenant   = "7c6e2a3b-4f1d-4e8a-9b2c-0d1e2f3a4b5c"
	benchEnv      = "login.microsoftonline.com"
	benchAccounts = 1000
)

// noNetwork fails every request: a token from the cache needs none.
type noNetwork struct{}

func (noNetwork) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("benchmark: no network")
}

// benchVault opens a file-backend vault of benchAccounts accounts.
func benchVault(b *testing.B) *vault.Vault {
	b.Helper()
	ctx := context.Background()
	v, err := vault.Open(ctx, vault.Options{
		Dir: b.TempDir(), Backend: vault.BackendFile,
		Passphrase: func(context.Context, string) (string, error) { return "benchmark passphrase", nil },
		Getenv:     func(string) string { return "" },
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { v.Close() })
	now := time.Now().Unix()
	secret := cache.Secret("eyJ" + strings.Repeat("x", 1400))
	err = v.Update(ctx, func(c *cache.Cache) error {
		for i := range benchAccounts {
			home := fmt.Sprintf("%08d-0000-4000-8000-000000000000.%s", i, benchTenant)
			for _, err := range []error{
				c.SaveAccount(cache.Account{HomeAccountID: home, Environment: benchEnv, Realm: benchTenant,
					LocalAccountID: home[:36], Username: fmt.Sprintf("user%04d@contoso.example", i), AuthorityType: cache.AuthorityTypeMSSTS}),
				c.SaveAccessToken(cache.AccessToken{HomeAccountID: home, Environment: benchEnv, ClientID: defaultClientID,
					Realm: benchTenant, Target: defaultScope, Secret: secret,
					CachedAt: now, ExpiresOn: now + 3600, ExtendedExpiresOn: now + 3600}),
			} {
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return v
}

// BenchmarkTokenOutput runs acctui token for one account of 1 000, with
// the vault already unlocked, in each output format: the formats' cost
// against the plain token.
func BenchmarkTokenOutput(b *testing.B) {
	v := benchVault(b)
	env := map[string]string{
		"ACCTUI_AUTHORITY": "https://" + benchEnv + "/" + benchTenant,
		"ACCTUI_CONFIG":    "/nonexistent/acctui-benchmark.toml",
	}
	for _, format := range tokenOutputs {
		b.Run("output="+format, func(b *testing.B) {
			args := []string{"token", "--account", "user0500@contoso.example", "-o", format}
			for b.Loop() {
				a := &app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
					getenv: func(k string) string { return env[k] }, log: newApp().log,
					vault: v, http: &http.Client{Transport: noNetwork{}}}
				root := newRootCommand(a, args)
				root.SetArgs(args)
				if err := root.ExecuteContext(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWriteToken is the formatting alone, per format.
func BenchmarkWriteToken(b *testing.B) {
	now := time.Now()
	r := engine.Result{AccessToken: engine.Secret("eyJ" + strings.Repeat("x", 1400)), TokenType: "Bearer",
		ExpiresOn: now.Add(time.Hour), Scopes: []string{defaultScope}, Source: engine.SourceCache}
	acct := engine.Account{HomeAccountID: "00000500-0000-4000-8000-000000000000." + benchTenant, Username: "user0500@contoso.example"}
	for _, format := range tokenOutputs {
		b.Run("output="+format, func(b *testing.B) {
			for b.Loop() {
				if err := writeToken(io.Discard, format, execCredentialV1, "", r, acct, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
