package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"acctui/engine"
	"acctui/engine/idptest"
	"acctui/tui/common"
)

// hostile is a display name a compromised directory could hand out: an OSC 8
// link, a colour, a line break and a bidi override.
const hostile = "Alice \x1b]8;;https://evil.example/\x07click here\x1b]8;;\x07 \x1b[31mred\x1b[0m\nsecond line \u202eevil"

// TestOutsideTextIsSafeOnScreen: a name from the identity provider, shown on
// the list, the detail screen (also as the name claim) and the removal
// dialog, and an error in the status line, reach the terminal with their
// control sequences shown as text, never as sequences.
func TestOutsideTextIsSafeOnScreen(t *testing.T) {
	dir := idptest.DefaultDirectory()
	for _, tenant := range dir.Tenants {
		for _, u := range tenant.Users {
			if u.Username == alice {
				u.Name = hostile
			}
		}
	}
	srv := idptest.Start(t, idptest.Options{TLS: true, Directory: dir, Now: func() time.Time { return epoch }})
	store := engine.NewMemoryStore(nil)
	client, err := engine.New(engine.Config{ClientID: idptest.AzureCLIClientID, Authority: srv.Authority("organizations"),
		HTTPClient: srv.Client(), Cache: store, Now: srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.AcquireTokenByUsernamePassword(context.Background(), graph, alice, engine.Secret(passwords[alice])); err != nil {
		t.Fatal(err)
	}
	e := &env{srv: srv, store: store, client: client, backend: NewEngineBackend(client, store, graph, srv.Now)}
	h := newHarness(t, e, 120, 40)
	check := func(where string) {
		t.Helper()
		raw := h.m.View().Content
		for _, bad := range []string{"\x1b]8;", "\x1b[31m", "\u202e", "\x07"} {
			if strings.Contains(raw, bad) {
				t.Fatalf("%s: the frame carries %q from outside acctui", where, bad)
			}
		}
		if !strings.Contains(h.view(), `\x1b]8;;https://evil.example/`) {
			t.Fatalf("%s: the name is not shown with its escapes visible:\n%s", where, h.view())
		}
	}
	check("list")
	h.press("enter")
	check("detail")
	h.press("d")
	check("removal dialog")
	h.press("n", "esc")
	h.send(common.StatusMsg{Kind: common.StatusError, Text: "refresh failed: " + hostile})
	check("status line")
}
