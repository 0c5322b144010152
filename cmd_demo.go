package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"acctui/engine"
	"acctui/engine/idptest"
	"acctui/tui"
	"acctui/vault"
)

// demoScopes are what the demo signs in for: Microsoft Graph, whose token
// claims people recognise.
var demoScopes = []string{"https://graph.microsoft.com/.default"}

// runDemo starts the emulator in-process over TLS, a throw-away vault and
// the TUI, with demo accounts in place: alice with valid tokens, carol with
// an expired access token and a good refresh token, dave with a revoked
// refresh token; bob (MFA) can be added.
func (a *app) runDemo(ctx context.Context) error {
	if !a.stdinTTY {
		return usageError{errNoTerminal("a terminal for the demo")}
	}
	fmt.Fprintln(a.stderr, "Starting the demo: a local identity provider and a throw-away vault...")
	env, err := startDemo(ctx)
	if err != nil {
		return err
	}
	defer env.close()
	opts := a.tuiOptions(tui.NewEngineBackend(env.client, env.vault, demoScopes, env.srv.Now), demoScopes)
	opts.Now = env.srv.Now
	return tui.Run(ctx, opts)
}

// demoEnv is the demo's emulator, vault and engine client.
type demoEnv struct {
	srv    *idptest.Server
	dir    string
	vault  *vault.Vault
	client *engine.Client
}

func (d *demoEnv) close() {
	d.vault.Close()
	d.srv.Close()
	os.RemoveAll(d.dir)
}

// startDemo builds the demo world. The engine's clock is the emulator's, so
// the emulator can age tokens without waiting.
func startDemo(ctx context.Context) (*demoEnv, error) {
	// The emulator starts demoAging behind the wall clock and seed moves
	// it forward by as much, so the demo's times agree with the system's.
	srv, err := idptest.New(idptest.Options{TLS: true, Now: func() time.Time { return time.Now().Add(-demoAging) }})
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "acctui-demo-")
	if err != nil {
		srv.Close()
		return nil, err
	}
	passphrase := randomHex(16)
	v, err := vault.Open(ctx, vault.Options{
		Dir:           dir,
		Backend:       vault.BackendFile,
		PassphraseEnv: passphraseEnv,
		Getenv: func(name string) string {
			if name == passphraseEnv {
				return passphrase
			}
			return ""
		},
	})
	if err != nil {
		srv.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	env := &demoEnv{srv: srv, dir: dir, vault: v}
	env.client, err = engine.New(engine.Config{
		ClientID: idptest.AzureCLIClientID, Authority: srv.Authority("organizations"),
		HTTPClient: srv.Client(), Cache: v, Now: srv.Now,
	})
	if err == nil {
		err = env.seed(ctx)
	}
	if err != nil {
		env.close()
		return nil, fmt.Errorf("demo: %w", err)
	}
	return env, nil
}

// demoAging is how far the demo ages carol's and dave's tokens.
const demoAging = 15 * time.Minute

// seed signs the demo users in and ages their tokens.
func (d *demoEnv) seed(ctx context.Context) error {
	signIn := func(username, password string) error {
		_, err := d.client.AcquireTokenByUsernamePassword(ctx, demoScopes, username, engine.Secret(password))
		return err
	}
	if err := d.srv.SetTokenLifetimes("dave@fabrikam.example", 10*time.Minute, 0); err != nil {
		return err
	}
	for _, u := range [][2]string{{"carol@contoso.example", "demo-carol"}, {"dave@fabrikam.example", "demo-dave"}} {
		if err := signIn(u[0], u[1]); err != nil {
			return err
		}
	}
	d.srv.Advance(demoAging) // carol's and dave's 10-minute tokens expire
	if err := signIn("alice@contoso.example", "demo-alice"); err != nil {
		return err
	}
	return d.srv.RevokeRefreshTokens("dave@fabrikam.example")
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
