package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/engine/idptest"
	"acctui/principals"
	"acctui/tui/backend"
	"acctui/tui/common"
)

const (
	appClientID = "4c3b2a19-0f8e-4d7c-9b6a-5f4e3d2c1b0a"
	appSecret   = "tui-app-secret-Sentinel-7f3a"
	appRole     = "Directory.Read.All"
)

// principalEnv is an emulator whose directory has a confidential app, with
// alice signed in and the app signed in as the command line does it: its
// credential in the store's principal list, its app token beside it.
func principalEnv(t testing.TB) (*env, principals.Principal) {
	t.Helper()
	e, p, _ := principalWorld(t, true)
	return e, p
}

// principalWorld is principalEnv with the app signed in or not, and the
// acquisition the backend uses.
func principalWorld(t testing.TB, signedIn bool) (*env, principals.Principal, backend.PrincipalTokenFunc) {
	t.Helper()
	d := idptest.DefaultDirectory()
	d.Apps = append(d.Apps, &idptest.App{ClientID: appClientID, Name: "TUI deployer", Secret: appSecret, Roles: []string{appRole}})
	srv := idptest.Start(t, idptest.Options{TLS: true, Directory: d, Now: func() time.Time { return epoch }})
	store := engine.NewMemoryStore(nil)
	client, err := engine.New(engine.Config{ClientID: idptest.AzureCLIClientID, Authority: srv.Authority("organizations"),
		HTTPClient: srv.Client(), Cache: store, Now: srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.AcquireTokenByUsernamePassword(context.Background(), graph, "alice@contoso.example", engine.Secret(passwords["alice@contoso.example"])); err != nil {
		t.Fatal(err)
	}
	// The same acquisition the command line hands the TUI (cmd_login_sp.go).
	acquire := func(ctx context.Context, p principals.Principal, store engine.CacheStore, scopes []string, force bool) (engine.Result, error) {
		cred, err := principals.Credential(p)
		if err != nil {
			return engine.Result{}, err
		}
		c, err := engine.New(engine.Config{ClientID: p.ClientID, Authority: p.Authority, HTTPClient: srv.Client(), Cache: store, Credential: cred, Now: srv.Now})
		if err != nil {
			return engine.Result{}, err
		}
		var opts []engine.Option
		if force {
			opts = append(opts, engine.WithForceRefresh())
		}
		return c.AcquireTokenForClient(ctx, scopes, opts...)
	}
	p := principals.Principal{Kind: principals.KindServicePrincipal, ClientID: appClientID, Tenant: "contoso.example",
		Authority: srv.Authority("contoso.example"), Credential: "secret", Secret: appSecret}
	// What the command line's login does (cmd_login_sp.go storePrincipal):
	// a token first, in memory, then the credential and the token.
	add := func(ctx context.Context, req PrincipalRequest) (engine.Result, error) {
		q := principals.Principal{Kind: principals.KindServicePrincipal, ClientID: req.ClientID, Tenant: req.Tenant,
			Authority: srv.Authority(req.Tenant), Credential: "secret", Secret: req.Secret.Reveal()}
		scratch := engine.NewMemoryStore(nil)
		r, err := acquire(ctx, q, scratch, graph, true)
		if err != nil {
			return engine.Result{}, err
		}
		return r, principals.Save(ctx, store, q, scratch.Snapshot().FindAccessTokens(cache.AccessTokenQuery{ClientID: q.ClientID}))
	}
	if signedIn {
		if _, err := add(context.Background(), PrincipalRequest{ClientID: appClientID, Tenant: "contoso.example", Secret: appSecret}); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{srv: srv, store: store, client: client,
		backend: NewEngineBackend(client, store, graph, srv.Now, WithPrincipalToken(acquire), WithAddPrincipal(add))}
	return e, p, acquire
}

// appTokenSecret is the app token cached for the principal ("" if none).
func appTokenSecret(t *testing.T, e *env) string {
	t.Helper()
	at, ok := e.store.Snapshot().FindAccessToken(cache.AccessTokenQuery{ClientID: appClientID})
	if !ok {
		return ""
	}
	return at.Secret.Reveal()
}

// TestPrincipalRows lists an app beside a person with its kind and tenant,
// shows its app token's claims, refreshes it by re-acquiring, refuses to
// make it active, and removes it with its credential.
func TestPrincipalRows(t *testing.T) {
	e, p := principalEnv(t)
	h := newHarness(t, e, 80, 24)
	h.contains(appClientID, "app (secret) · contoso.example", "Alice")
	h.golden("principal-accounts-80x24")

	// The app sorts first (its name is its client id): open it.
	h.press("enter")
	h.contains("App or identity", "Kind", "app (secret)", "App-token claims", "azp", appClientID, "oid", "roles", appRole)
	h.golden("principal-detail-80x24")
	if strings.Contains(h.view(), appSecret) {
		t.Fatal("the client secret is on screen")
	}

	before := appTokenSecret(t, e)
	h.press("R")
	if after := appTokenSecret(t, e); after == "" || after == before {
		t.Error("R did not re-acquire the app token")
	}

	h.press("u")
	if id, _ := e.backend.ActiveAccount(context.Background()); id == p.ID() {
		t.Error("u made the app the active account")
	}

	h.press("d")
	h.contains("Remove this app or identity?", "credential")
	h.golden("principal-confirm-80x24")
	h.press("y")
	list, err := principals.List(context.Background(), e.store)
	if err != nil || len(list) != 0 {
		t.Fatalf("after d y the vault still lists %v (%v)", list, err)
	}
	if appTokenSecret(t, e) != "" {
		t.Error("after d y the app token is still cached")
	}
	h.contains("1 account", "Alice", "removed "+appClientID)
	if v := h.view(); strings.Contains(v, "app (secret)") {
		t.Errorf("after d y the app is still listed:\n%s", v)
	}
}

// TestPrincipalCopy copies the app's token with c, unmasked only on the
// clipboard.
func TestPrincipalCopy(t *testing.T) {
	e, _ := principalEnv(t)
	clip := &fakeClipboard{readable: true}
	h := newHarness(t, e, 80, 24, func(o *Options) { o.ClipboardWriter = clip })
	h.press("c")
	if got := clip.get(); got == "" || got != appTokenSecret(t, e) {
		t.Errorf("c copied %d bytes, not the app token", len(got))
	}
	if strings.Contains(h.view(), appTokenSecret(t, e)) {
		t.Error("the app token is on screen")
	}
}

// TestPrincipalActiveRefused: the backend refuses an app as the active
// account.
func TestPrincipalActiveRefused(t *testing.T) {
	e, p := principalEnv(t)
	if err := e.backend.SetActiveAccount(context.Background(), p.ID()); err != backend.ErrPrincipalNotActive {
		t.Errorf("SetActiveAccount(app) = %v", err)
	}
}

// TestAddAppForm adds a service principal from the add-account screen: the
// secret is typed masked, a wrong one keeps the form without it, and the
// right one lists the app.
func TestAddAppForm(t *testing.T) {
	e, _, _ := principalWorld(t, false)
	h := newHarness(t, e, 80, 24)
	h.press("a", "j", "j", "j", "enter")
	h.contains("Add an app (service principal)", "Client ID:", "Tenant:", "Secret:", "Certificate:")
	h.typeText(appClientID)
	h.press("tab")
	h.typeText("contoso.example")
	h.press("tab")
	h.typeText("not-the-secret-Sentinel")
	if strings.Contains(h.view(), "not-the-secret-Sentinel") {
		t.Fatal("the secret is shown as typed")
	}
	h.golden("add-app-form-80x24")
	h.press("enter")
	h.contains("Add an app (service principal)", "✗")
	if list, _ := principals.List(context.Background(), e.store); len(list) != 0 {
		t.Fatalf("a refused secret was stored: %v", list)
	}
	// The form kept the client id and tenant; the secret is typed again.
	h.contains(appClientID, "contoso.example")
	h.golden("add-app-refused-80x24")
	h.typeText(appSecret)
	h.press("enter")
	h.contains("added app "+appClientID, "app (secret) · contoso.example")
	if strings.Contains(h.view(), appSecret) {
		t.Fatal("the secret is on screen")
	}
	list, err := principals.List(context.Background(), e.store)
	if err != nil || len(list) != 1 || list[0].ClientID != appClientID {
		t.Fatalf("after adding: %v %v", list, err)
	}
}

// TestAddFormNotForReSignIn: adding an account offers apps and
// identities; signing a person in again does not.
func TestAddFormNotForReSignIn(t *testing.T) {
	e, _, _ := principalWorld(t, false)
	h := newHarness(t, e, 80, 24)
	h.press("a")
	h.contains("App (service principal)", "Managed identity")
	h.press("esc")
	list, err := e.backend.Accounts(context.Background())
	if err != nil || len(list) != 1 {
		t.Fatalf("accounts %v %v", list, err)
	}
	h.send(common.SignInAgainMsg{Account: list[0], Err: engine.ErrNoToken})
	h.contains("Sign in again as alice@contoso.example")
	if v := h.view(); strings.Contains(v, "App (service principal)") || strings.Contains(v, "Managed identity") {
		t.Errorf("a re-sign-in offers apps:\n%s", v)
	}
}

// TestPrincipalViewToken opens the app's token with v: its claims, the
// token itself masked.
func TestPrincipalViewToken(t *testing.T) {
	e, _ := principalEnv(t)
	h := newHarness(t, e, 80, 24)
	h.press("v")
	h.contains("roles", appRole)
	if raw := appTokenSecret(t, e); raw == "" || strings.Contains(h.view(), raw) || strings.Contains(h.view(), raw[len(raw)-20:]) {
		t.Error("the app token is shown unmasked")
	}
}
