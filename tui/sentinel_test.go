package tui

import (
	"context"
	"strings"
	"testing"

	"acctui/engine/cache"
)

// sentinel stands in for a token's signature: it is part of the token
// string but of none of its decoded claims, so only a view that prints the
// token itself can show it.
const sentinel = "SENTINELx7Qz9w3R" // valid base64url, so the JWT still decodes

// plantSentinel replaces the signature of every cached access and ID token
// with the sentinel.
func plantSentinel(t *testing.T, e *env) {
	t.Helper()
	resign := func(s cache.Secret) cache.Secret {
		parts := strings.SplitN(s.Reveal(), ".", 3)
		if len(parts) != 3 {
			t.Fatalf("cached token is not a JWT")
		}
		return cache.Secret(parts[0] + "." + parts[1] + "." + sentinel)
	}
	err := e.store.Write(context.Background(), cache.Hint{}, func(c *cache.Cache) error {
		for _, a := range c.Accounts() {
			for _, at := range c.FindAccessTokens(cache.AccessTokenQuery{HomeAccountID: a.HomeAccountID}) {
				at.Secret = resign(at.Secret)
				if err := c.SaveAccessToken(at); err != nil {
					return err
				}
			}
			if it, ok := c.FindIDToken(cache.IDTokenQuery{HomeAccountID: a.HomeAccountID}); ok {
				it.Secret = resign(it.Secret)
				if err := c.SaveIDToken(it); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNoViewShowsATokenUnlessRevealed walks every screen with tokens whose
// signature is a sentinel and finds it only in the revealed token view.
func TestNoViewShowsATokenUnlessRevealed(t *testing.T) {
	e := newEnv(t, alice, carol)
	plantSentinel(t, e)
	f := &fakeClipboard{readable: true}
	h := newHarness(t, e, 80, 24, func(o *Options) { o.ClipboardWriter = f })

	steps := []struct {
		name     string
		keys     []string
		revealed bool
		// want is text the step must show: the planted tokens still decode.
		want string
	}{
		{name: "accounts"},
		{name: "filter", keys: []string{"/", "a", "l"}},
		{name: "filter applied", keys: []string{"enter"}},
		{name: "filter cleared", keys: []string{"esc"}},
		{name: "detail", keys: []string{"enter"}, want: "aud "},
		{name: "detail page 2", keys: []string{"pgdown"}},
		{name: "detail page 3", keys: []string{"pgdown"}},
		{name: "detail page 4", keys: []string{"pgdown"}},
		{name: "copy from detail", keys: []string{"c"}},
		{name: "token", keys: []string{"v"}, want: "https://graph.microsoft.com"},
		{name: "token page 2", keys: []string{"pgdown"}},
		// Entra's access tokens run to twenty lines and more at 80
		// columns; the planted sentinel ends the token, a few lines down.
		{name: "token revealed", keys: []string{"pgup", "s", "down", "down", "down", "down"}, revealed: true},
		{name: "token copied", keys: []string{"c"}, revealed: true},
		{name: "token hidden", keys: []string{"s"}},
		{name: "id token", keys: []string{"tab"}, want: "04b07795-8ddb-461a-bbee-02f9e1bf7b46"},
		{name: "id token revealed", keys: []string{"s"}, revealed: true},
		{name: "help over token", keys: []string{"?"}},
		{name: "token again", keys: []string{"esc"}},
		{name: "back to detail", keys: []string{"esc"}},
		{name: "confirm", keys: []string{"d"}},
		{name: "kept", keys: []string{"n", "esc"}},
		{name: "copy from list", keys: []string{"c"}},
		{name: "sign-in", keys: []string{"a"}},
		{name: "password form", keys: []string{"down", "down", "enter"}},
		{name: "back", keys: []string{"esc", "esc"}},
		{name: "help", keys: []string{"?"}},
		{name: "refresh", keys: []string{"esc", "down", "R"}},
	}
	for _, s := range steps {
		h.press(s.keys...)
		// A token wraps over several lines: look at the frame unwrapped too.
		frame := h.m.View().Content
		flat := strings.ReplaceAll(h.view(), "\n", "")
		shown := strings.Contains(frame, sentinel) || strings.Contains(flat, sentinel)
		if s.want != "" && !strings.Contains(h.view(), s.want) {
			t.Fatalf("%s: view lacks %q:\n%s", s.name, s.want, h.view())
		}
		if shown != s.revealed {
			t.Fatalf("%s: sentinel on screen = %v, want %v:\n%s", s.name, shown, s.revealed, h.view())
		}
	}
	if !strings.Contains(f.get(), sentinel) {
		t.Fatal("the copies did not carry the token")
	}
}
