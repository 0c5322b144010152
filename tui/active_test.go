package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"acctui/engine"
	"acctui/engine/idptest"
	"acctui/vault"
)

// newVaultEnv is newEnv over a real file-backend vault in a temporary
// directory, which keeps the active account as `acctui use` does.
func newVaultEnv(t testing.TB, users ...string) (*env, *vault.Vault) {
	t.Helper()
	ctx := context.Background()
	srv := idptest.Start(t, idptest.Options{TLS: true, DeviceCodeInterval: time.Second, Now: func() time.Time { return epoch }})
	v, err := vault.Open(ctx, vault.Options{
		Dir: t.TempDir(), Backend: vault.BackendFile,
		Passphrase: func(context.Context, string) (string, error) { return "tui test passphrase", nil },
		Getenv:     func(string) string { return "" },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	client, err := engine.New(engine.Config{
		ClientID: idptest.AzureCLIClientID, Authority: srv.Authority("organizations"),
		HTTPClient: srv.Client(), Cache: v, Now: srv.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if _, err := client.AcquireTokenByUsernamePassword(ctx, graph, u, engine.Secret(passwords[u])); err != nil {
			t.Fatalf("sign in %s: %v", u, err)
		}
	}
	return &env{srv: srv, client: client, backend: NewEngineBackend(client, v, graph, srv.Now)}, v
}

// homeOf is the home account id of a signed-in user.
func homeOf(t testing.TB, e *env, username string) string {
	t.Helper()
	accts, err := e.client.Accounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accts {
		if a.Username == username {
			return a.HomeAccountID
		}
	}
	t.Fatalf("%s is not signed in", username)
	return ""
}

// marked reports whether the list row naming the account carries the
// active mark.
func marked(view, name string) bool {
	return strings.Contains(rowText(view, name), "(active)")
}

func TestActiveAccountIsMarkedAndSelectedFirst(t *testing.T) {
	e, v := newVaultEnv(t, alice, carol, dave)
	if err := v.SetActiveAccount(context.Background(), homeOf(t, e, carol)); err != nil {
		t.Fatal(err)
	}
	for _, sz := range sizes {
		t.Run(sizeName(sz), func(t *testing.T) {
			h := newHarness(t, e, sz.w, sz.h)
			view := h.view()
			if !marked(view, "Carol Example") || marked(view, "Alice Example") || marked(view, "Dave Example") {
				t.Fatalf("only carol should be marked active:\n%s", view)
			}
			if sel, _ := h.m.accounts.Selected(); sel.Username != carol {
				t.Fatalf("the list starts on %s, want the active account %s", sel.Username, carol)
			}
			h.golden("accounts-active-" + sizeName(sz))
			h.press("enter")
			h.contains("(active)", "yes: used when several accounts could answer")
			h.golden("detail-active-" + sizeName(sz))
		})
	}
}

func TestUseKeyMakesTheSelectedAccountActive(t *testing.T) {
	e, v := newVaultEnv(t, alice, carol)
	h := newHarness(t, e, 80, 24)
	if marked(h.view(), "Alice Example") || marked(h.view(), "Carol Example") {
		t.Fatalf("no account is active yet, but one is marked:\n%s", h.view())
	}
	h.press("j", "u") // carol
	active, err := v.ActiveAccount(context.Background())
	if err != nil || !strings.EqualFold(active, homeOf(t, e, carol)) {
		t.Fatalf("the vault's active account = %q, %v; want carol's", active, err)
	}
	h.contains("carol@contoso.example is the active account now (as with acctui use)")
	if view := h.view(); !marked(view, "Carol Example") || marked(view, "Alice Example") {
		t.Fatalf("the mark is not on carol:\n%s", view)
	}
	h.press("u")
	h.contains("carol@contoso.example was already the active account")

	// From the detail screen, for alice: the mark moves, on both screens.
	h.press("k", "enter")
	h.contains("Active       no (u makes it active)")
	h.press("u")
	h.contains("Alice Example  (active)", "Active       yes", "alice@contoso.example is the active account now (as with acctui use)")
	if active, _ := v.ActiveAccount(context.Background()); !strings.EqualFold(active, homeOf(t, e, alice)) {
		t.Fatalf("the vault's active account = %q, want alice's", active)
	}
	h.press("esc")
	if view := h.view(); !marked(view, "Alice Example") || marked(view, "Carol Example") {
		t.Fatalf("the mark did not move to alice:\n%s", view)
	}
}

func TestUseKeyOnAStoreWithoutActiveAccountSaysSo(t *testing.T) {
	e := newEnv(t, alice)
	h := newHarness(t, e, 80, 24)
	h.press("u")
	h.contains("could not make alice@contoso.example active")
	if marked(h.view(), "Alice Example") {
		t.Fatalf("alice is marked although nothing was stored:\n%s", h.view())
	}
}

func TestActiveMarkFollowsTheVault(t *testing.T) {
	e, v := newVaultEnv(t, alice, carol)
	h := newHarness(t, e, 80, 24)
	h.fireLive() // the first look learns the stamp
	// What `acctui use carol` in another terminal does to the vault.
	if err := v.SetActiveAccount(context.Background(), homeOf(t, e, carol)); err != nil {
		t.Fatal(err)
	}
	h.fireLive()
	if view := h.view(); !marked(view, "Carol Example") {
		t.Fatalf("the list did not follow the vault's active account:\n%s", view)
	}
	if err := v.SetActiveAccount(context.Background(), ""); err != nil {
		t.Fatal(err)
	}
	h.fireLive()
	if view := h.view(); marked(view, "Carol Example") {
		t.Fatalf("the mark stayed after the active account was cleared:\n%s", view)
	}
}

func sizeName(s size) string { return fmt.Sprintf("%dx%d", s.w, s.h) }

// BenchmarkReloadWithActive is what a live reload costs over a real vault
// with and without reading the active account, the price of the mark.
func BenchmarkReloadWithActive(b *testing.B) {
	e, v := newVaultEnv(b, alice, carol, dave)
	if err := v.SetActiveAccount(context.Background(), homeOf(b, e, carol)); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("accounts", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.backend.Accounts(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("accounts+active", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.backend.Accounts(ctx); err != nil {
				b.Fatal(err)
			}
			if _, err := e.backend.ActiveAccount(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
