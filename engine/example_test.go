package engine_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"acctui/engine"
	"acctui/engine/idptest"
)

// exampleNow is the fixed time the examples' identity provider starts at,
// so their output does not depend on the wall clock.
var exampleNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// startEmulator starts the local identity provider on a fixed clock and a
// public client of it, as the Azure CLI: the engine reads the emulator's
// clock, so Advance moves both.
func startEmulator() (*idptest.Server, *engine.Client) {
	srv, err := idptest.New(idptest.Options{Now: func() time.Time { return exampleNow }})
	if err != nil {
		log.Fatal(err)
	}
	client, err := engine.New(engine.Config{
		ClientID:   idptest.AzureCLIClientID,
		Authority:  srv.Authority("organizations"),
		HTTPClient: srv.Client(),
		Now:        srv.Now,
	})
	if err != nil {
		log.Fatal(err)
	}
	return srv, client
}

var graph = []string{"https://graph.microsoft.com/.default"}

// A silent call answers from the cache while the access token is valid and
// redeems the refresh token once it has expired.
func ExampleClient_AcquireTokenSilent() {
	srv, client := startEmulator()
	defer srv.Close()
	ctx := context.Background()

	// carol's access tokens last 10 minutes.
	signedIn, err := client.AcquireTokenByUsernamePassword(ctx, graph, "carol@contoso.example", engine.Secret("demo-carol"))
	if err != nil {
		log.Fatal(err)
	}
	first, err := client.AcquireTokenSilent(ctx, graph, signedIn.Account)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("now:", first.Source)

	srv.Advance(11 * time.Minute)
	later, err := client.AcquireTokenSilent(ctx, graph, signedIn.Account)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("11 minutes later:", later.Source, "valid:", later.ExpiresOn.After(srv.Now()))
	// A Result prints without its tokens.
	fmt.Println(later.AccessToken)
	// Output:
	// now: cache
	// 11 minutes later: identity_provider valid: true
	// [redacted]
}

// A device-code sign-in shows the user a code to enter on another device,
// then polls until they have.
func ExampleClient_InitiateDeviceFlow() {
	srv, client := startEmulator()
	defer srv.Close()
	ctx := context.Background()

	dc, err := client.InitiateDeviceFlow(ctx, graph)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("code shown:", dc.UserCode != "", "lasts:", dc.ExpiresOn.Sub(srv.Now()))

	// Here the user would open dc.VerificationURI and enter dc.UserCode.
	if err := srv.ApproveDeviceCode(dc.UserCode, "alice@contoso.example"); err != nil {
		log.Fatal(err)
	}
	r, err := client.AcquireTokenByDeviceFlow(ctx, dc)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in:", r.Account.Username)
	// Output:
	// code shown: true lasts: 15m0s
	// signed in: alice@contoso.example
}

// A web app sends the user to flow.AuthURI, keeps the flow (it is
// JSON-serialisable) and redeems what comes back to its redirect URI.
func ExampleClient_InitiateAuthCodeFlow() {
	srv, client := startEmulator()
	defer srv.Close()
	ctx := context.Background()

	flow, err := client.InitiateAuthCodeFlow(ctx, graph,
		engine.WithRedirectURI("http://localhost:8400"), engine.WithLoginHint("alice@contoso.example"))
	if err != nil {
		log.Fatal(err)
	}
	// The emulator's scripted browser stands in for the user.
	back, err := idptest.NewBrowser(srv.Client()).SignIn(ctx, flow.AuthURI, "alice@contoso.example", "demo-alice")
	if err != nil {
		log.Fatal(err)
	}
	r, err := client.AcquireTokenByAuthCodeFlow(ctx, flow, back.Params, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in:", r.Account.Username)

	// An answer that does not carry the flow's state may be forged: refused.
	forged := back.Params
	forged.Set("state", "another")
	_, err = client.AcquireTokenByAuthCodeFlow(ctx, flow, forged, nil)
	fmt.Println("forged state refused:", errors.Is(err, engine.ErrStateMismatch))
	// Output:
	// signed in: alice@contoso.example
	// forged state refused: true
}

// A username and password sign-in (ROPC) works only for accounts without
// MFA; the others need a browser or a device code.
func ExampleClient_AcquireTokenByUsernamePassword() {
	srv, client := startEmulator()
	defer srv.Close()
	ctx := context.Background()

	r, err := client.AcquireTokenByUsernamePassword(ctx, graph, "alice@contoso.example", engine.Secret("demo-alice"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signed in:", r.Account.Username, "from:", r.Source)

	_, err = client.AcquireTokenByUsernamePassword(ctx, graph, "bob@contoso.example", engine.Secret("demo-bob"))
	fmt.Println("bob needs MFA:", engine.IsInteractionRequired(err))
	// Output:
	// signed in: alice@contoso.example from: identity_provider
	// bob needs MFA: true
}

// Accounts lists who is signed in; RemoveAccount signs one out of the
// cache.
func ExampleClient_RemoveAccount() {
	srv, client := startEmulator()
	defer srv.Close()
	ctx := context.Background()

	for _, user := range []string{"alice@contoso.example", "carol@contoso.example"} {
		if _, err := client.AcquireTokenByUsernamePassword(ctx, graph, user, engine.Secret("demo-"+user[:len(user)-len("@contoso.example")])); err != nil {
			log.Fatal(err)
		}
	}
	carol, err := client.Accounts(ctx, engine.WithUsername("carol@contoso.example"))
	if err != nil {
		log.Fatal(err)
	}
	if err := client.RemoveAccount(ctx, carol[0]); err != nil {
		log.Fatal(err)
	}
	left, err := client.Accounts(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, a := range left {
		fmt.Println(a.Username)
	}
	_, err = client.AcquireTokenSilent(ctx, graph, carol[0])
	fmt.Println("carol's tokens gone:", errors.Is(err, engine.ErrNoToken))
	// Output:
	// alice@contoso.example
	// carol's tokens gone: true
}

// An option a call does not read is an error, not silently ignored.
func ExampleWithPort() {
	srv, client := startEmulator()
	defer srv.Close()
	ctx := context.Background()

	r, err := client.AcquireTokenByUsernamePassword(ctx, graph, "alice@contoso.example", engine.Secret("demo-alice"))
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.AcquireTokenSilent(ctx, graph, r.Account, engine.WithPort(8400))
	fmt.Println(err)
	// Output:
	// engine: option not read by this call: AcquireTokenSilent does not read WithPort
}
