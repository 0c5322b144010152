package tui

import (
	"strings"
	"testing"
	"time"
)

// clearField empties the focused text input.
func (h *harness) clearField() {
	for range 40 {
		h.press("backspace")
	}
}

func TestReauthAsSomeoneElseSaysSo(t *testing.T) {
	e := newEnv(t, alice, dave)
	h := newHarness(t, e, 100, 30)
	if err := e.srv.RevokeRefreshTokens(dave); err != nil {
		t.Fatal(err)
	}
	h.press("down", "R")
	h.contains("Sign in again as dave@fabrikam.example")
	h.press("down", "down", "enter", "shift+tab") // the username field
	h.clearField()
	h.typeText(carol)
	h.press("tab")
	h.typeText(passwords[carol])
	h.press("enter")
	h.contains("signed in as carol@contoso.example, not dave@fabrikam.example", "3 accounts")
	if strings.Contains(h.view(), "signed in as dave") {
		t.Fatal("dave is reported as fixed")
	}
	if row := rowText(h.view(), "Dave Example"); !strings.Contains(row, "✗ sign in") {
		t.Fatalf("dave's row after someone else signed in: %q", row)
	}
	if row := rowText(h.view(), "Carol Example"); !strings.Contains(row, "valid") {
		t.Fatalf("carol is not her own valid row: %q", row)
	}
}

func TestRefusedAccountShowsSignInEverywhere(t *testing.T) {
	e := newEnv(t, alice, dave)
	h := newHarness(t, e, 100, 30)
	if err := e.srv.RevokeRefreshTokens(dave); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(2 * time.Hour) // the access tokens expired: a token needs the refresh token
	h.press("down", "c")         // copy, like r, leads to the sign-in
	h.contains("Sign in again as dave@fabrikam.example")
	h.press("esc", "esc")
	if row := rowText(h.view(), "Dave Example"); !strings.Contains(row, "✗ sign in") {
		t.Fatalf("dave's list badge after a refusal: %q", row)
	}
	h.press("enter")
	h.contains("Status       ✗ sign in")
	h.press("v") // the token view, too
	h.contains("Sign in again as dave@fabrikam.example")
}

func TestEscFromSignInAfterVGoesBackWhereVWasPressed(t *testing.T) {
	e := newEnv(t, alice, dave)
	h := newHarness(t, e, 80, 24)
	if err := e.srv.RevokeRefreshTokens(dave); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(2 * time.Hour)
	h.press("down", "v")
	h.contains("Sign in again as dave@fabrikam.example")
	h.press("esc")
	// Not a token view with nothing in it but the refusal.
	h.contains("acctui · Accounts", "Dave Example")
	h.press("enter", "v", "esc")
	h.contains("acctui · Account ", "Status       ✗ sign in")
}
