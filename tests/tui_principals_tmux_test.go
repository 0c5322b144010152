package tests

import (
	"strings"
	"testing"
)

// envCommand is the command line that runs the built binary with a CLI
// test environment's variables (its vault, its emulator).
func envCommand(t *testing.T, c *cliEnv) string {
	t.Helper()
	vars := make([]string, 0, len(c.environ()))
	for _, kv := range c.environ() {
		vars = append(vars, shellQuote(kv))
	}
	return "env " + strings.Join(vars, " ") + " " + acctuiBinary(t)
}

// TestTUIServicePrincipalInTmux: a service principal the command line
// signed in appears in the TUI with its kind beside a person, its detail
// shows its app token's claims, and d y removes it and its credential, as
// acctui logout does.
func TestTUIServicePrincipalInTmux(t *testing.T) {
	w := newPrincipalWorld(t)
	c := w.s.newEnv(t, "tui-sp")
	c.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
	secret := cliSPSecret + "\n"
	w.spLogin(c, t, &secret, "--secret-stdin").want(t, 0)

	s := startTmux(t, envCommand(t, c))
	screen := s.waitForText("2 accounts")
	row := rowOf(screen, "app (secret)")
	if !strings.Contains(row, contosoTenantID) {
		t.Fatalf("the app's kind and tenant are not listed:\n%s", screen)
	}
	if strings.Contains(screen, cliSPSecret) {
		t.Fatal("the client secret is on screen")
	}

	// The list is sorted by name: the app (named by its client id, which
	// starts with a digit) is the first row.
	s.keys("g", "Enter")
	// the claims are read after the detail is drawn ("reading…" first)
	screen = s.waitFor("the app token's claims", func(screen string) bool {
		return strings.Contains(screen, "App-token claims") && !strings.Contains(screen, "reading…")
	})
	for _, want := range []string{"azp", cliSPClientID, "oid", "idtyp"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the detail lacks %q:\n%s", want, screen)
		}
	}
	s.keys("Escape")
	s.waitForText("2 accounts")
	s.keys("g", "d")
	s.waitFor("the confirmation", func(screen string) bool {
		return strings.Contains(screen, "Remove this app or identity?") && strings.Contains(screen, cliSPClientID)
	})
	s.keys("y")
	screen = s.waitForText("1 account ")
	if rowOf(screen, "app (secret)") != "" || rowOf(screen, "Alice Example") == "" {
		t.Fatalf("after d y:\n%s", screen)
	}
	accounts := c.accountsJSON(t)
	if len(accounts) != 1 || accounts[0]["kind"] != nil {
		t.Fatalf("after d y accounts --json lists %v", accounts)
	}
	c.run(t, nil, "token", "--account", cliSPClientID).want(t, 4)
}

// TestTUIOIDCIssuerInTmux: an account of a generic OpenID Connect provider
// shows its issuer, not a tenant, in the list and the detail.
func TestTUIOIDCIssuerInTmux(t *testing.T) {
	e := startEmulator(t)
	issuer := e.ann.URL + "/oidc/plain"
	c := newCLISuite(t, e).newEnv(t, "tui-oidc").with("ACCTUI_AUTHORITY", "", "ACCTUI_OIDC_AUTHORITY", issuer)
	c.loginPassword(t, aliceUsername, alicePassword).want(t, 0)

	s := startTmux(t, envCommand(t, c))
	screen := s.waitForText("1 account")
	if !strings.Contains(screen, aliceUsername+" · "+issuer) {
		t.Fatalf("the list does not show the issuer:\n%s", screen)
	}
	s.keys("Enter")
	screen = s.waitForText("Issuer")
	if !strings.Contains(rowOf(screen, "Issuer"), issuer) || !strings.Contains(rowOf(screen, "Authority"), "OpenID Connect") {
		t.Fatalf("the detail does not show the issuer:\n%s", screen)
	}
	if rowOf(screen, "Tenant ") != "" {
		t.Errorf("the detail shows a tenant for a generic provider:\n%s", screen)
	}
}

// TestTUIAddServicePrincipalInTmux adds a service principal from the
// add-account screen of the built binary, with a secret typed masked and
// then with a certificate file: the command line then uses it.
func TestTUIAddServicePrincipalInTmux(t *testing.T) {
	w := newPrincipalWorld(t)
	c := w.s.newEnv(t, "tui-sp-add")
	c.loginPassword(t, aliceUsername, alicePassword).want(t, 0)

	s := startTmux(t, envCommand(t, c))
	s.waitForText("1 account")
	add := func(credential ...string) {
		t.Helper()
		s.keys("a")
		s.waitForText("App (service principal)")
		s.keys("j", "j", "j", "Enter")
		s.waitForText("Client ID:")
		s.text(cliSPClientID)
		s.keys("Tab")
		s.text(contosoTenantID)
		for _, field := range credential {
			s.keys("Tab")
			if field != "" {
				s.text(field)
			}
		}
		screen := s.screen()
		if strings.Contains(screen, cliSPSecret) {
			t.Fatalf("the secret is shown as typed:\n%s", screen)
		}
		s.keys("Enter")
		s.waitForText("added app " + cliSPClientID)
	}

	add(cliSPSecret)
	screen := s.waitForText("2 accounts")
	if !strings.Contains(rowOf(screen, "app (secret)"), contosoTenantID) {
		t.Fatalf("the added app is not listed with its kind:\n%s", screen)
	}
	accounts := c.accountsJSON(t)
	if len(accounts) != 2 || accounts[1]["kind"] != "service_principal" || accounts[1]["credential"] != "secret" {
		t.Fatalf("accounts --json after adding: %v", accounts)
	}
	c.token(t, "--account", cliSPClientID, "--force-refresh")

	// The same app with a certificate replaces the secret.
	add("", w.pemBoth)
	s.waitFor("the certificate app", func(screen string) bool { return rowOf(screen, "app (certificate)") != "" })
	accounts = c.accountsJSON(t)
	if len(accounts) != 2 || accounts[1]["credential"] != "certificate" {
		t.Fatalf("accounts --json after adding with a certificate: %v", accounts)
	}
}

// TestTUIManagedIdentityInTmux adds the system-assigned and a user-assigned
// managed identity from the add-account screen, lists them with their
// kind, refreshes one with r, and removes one with d y.
func TestTUIManagedIdentityInTmux(t *testing.T) {
	w := newPrincipalWorld(t)
	c := w.s.newEnv(t, "tui-mi").with("ACCTUI_IMDS_ENDPOINT", w.e.ann.URL)
	c.loginPassword(t, aliceUsername, alicePassword).want(t, 0)

	s := startTmux(t, envCommand(t, c))
	s.waitForText("1 account")
	add := func(clientID, said string) {
		t.Helper()
		s.keys("a")
		s.waitForText("Managed identity")
		s.keys("j", "j", "j", "j", "Enter")
		s.waitForText("Add a managed identity")
		if clientID != "" {
			s.text(clientID)
		}
		s.keys("Enter")
		s.waitForText("added " + said)
	}
	add("", "the system-assigned managed identity")
	add(cliMIUser, "managed identity "+cliMIUser)
	screen := s.waitForText("3 accounts")
	if rowOf(screen, "managed identity (system-assigned)") == "" || rowOf(screen, "managed identity (user-assigned)") == "" {
		t.Fatalf("the identities are not listed with their kind:\n%s", screen)
	}

	// managed-identity (the system-assigned one's name) sorts after Alice
	// and the user-assigned one's id (a digit first): it is the last row.
	s.keys("G", "r")
	s.waitForText("managed-identity: cached token still valid")
	s.keys("d")
	s.waitFor("the confirmation", func(screen string) bool {
		return strings.Contains(screen, "Remove this app or identity?") && strings.Contains(screen, "system-assigned")
	})
	s.keys("y")
	screen = s.waitForText("2 accounts")
	if rowOf(screen, "system-assigned") != "" {
		t.Fatalf("the system-assigned identity is still listed:\n%s", screen)
	}
	accounts := c.accountsJSON(t)
	if len(accounts) != 2 || accounts[1]["username"] != cliMIUser {
		t.Fatalf("accounts --json after d y: %v", accounts)
	}
}
