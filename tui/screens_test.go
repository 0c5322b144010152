package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"acctui/engine"
	"acctui/tui/common"
)

var (
	alice = "alice@contoso.example"
	bob   = "bob@contoso.example"
	carol = "carol@contoso.example"
	dave  = "dave@fabrikam.example"
)

type size struct{ w, h int }

var sizes = []size{{80, 24}, {60, 20}}

// fixedDeviceCode is a device code whose rendering does not depend on the
// emulator's port or randomness.
func fixedDeviceCode(now time.Time) engine.DeviceCode {
	return engine.DeviceCode{
		UserCode:        "HQ7KM2XPD",
		VerificationURI: "https://microsoft.com/devicelogin",
		Message:         "To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code HQ7KM2XPD to authenticate.",
		ExpiresOn:       now.Add(15 * time.Minute),
		Interval:        5 * time.Second,
	}
}

// fixedBrowser is a backend whose browser sign-in shows a fixed URL and
// then waits to be cancelled.
type fixedBrowser struct{ Backend }

const fixedAuthURL = "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize?client_id=04b07795-8ddb-461a-bbee-02f9e1bf7b46&redirect_uri=http%3A%2F%2Flocalhost%3A8400&state=fixed"

func (f fixedBrowser) SignInBrowser(ctx context.Context, _ SignInRequest, open func(string) error) (engine.Result, error) {
	if err := open(fixedAuthURL); err != nil {
		return engine.Result{}, err
	}
	<-ctx.Done()
	return engine.Result{}, ctx.Err()
}

func holdType(name string) func(tea.Msg) bool {
	return func(msg tea.Msg) bool { return fmt.Sprintf("%T", msg) == name }
}

// TestScreensGolden renders every screen at 80x24 and 60x20 and compares
// the colourless frame with testdata/<name>-<w>x<h>.golden.
func TestScreensGolden(t *testing.T) {
	tests := []struct {
		name  string
		users []string
		opts  func(*Options)
		sizes []size
		steps func(t *testing.T, h *harness)
	}{
		{name: "accounts", users: []string{alice, carol, dave}},
		{name: "accounts-empty"},
		{name: "accounts-nocolor", users: []string{alice, carol, dave}, opts: func(o *Options) { o.NoColor = true }},
		{name: "filter-typing", users: []string{alice, carol, dave}, steps: func(t *testing.T, h *harness) {
			h.press("/")
			h.typeText("car")
		}},
		{name: "filter-applied", users: []string{alice, carol, dave}, steps: func(t *testing.T, h *harness) {
			h.press("/")
			h.typeText("fabrikam")
			h.press("enter")
		}},
		{name: "detail", users: []string{alice, carol}, steps: func(t *testing.T, h *harness) { h.press("enter") }},
		{name: "detail-tokens", users: []string{alice, carol}, steps: func(t *testing.T, h *harness) { h.press("enter", "pgdown", "pgdown") }},
		{name: "token", users: []string{alice}, steps: func(t *testing.T, h *harness) { h.press("v") }},
		{name: "token-id", users: []string{alice}, steps: func(t *testing.T, h *harness) { h.press("v", "tab") }},
		{name: "confirm", users: []string{alice, carol}, steps: func(t *testing.T, h *harness) { h.press("down", "d") }},
		{name: "help", users: []string{alice}, steps: func(t *testing.T, h *harness) { h.press("?") }},
		{name: "signin", users: []string{alice}, steps: func(t *testing.T, h *harness) { h.press("a") }},
		{name: "signin-password", steps: func(t *testing.T, h *harness) { h.press("a", "down", "down", "enter") }},
		{name: "signin-mfa", steps: func(t *testing.T, h *harness) {
			h.press("a", "down", "down", "enter")
			h.typeText(bob)
			h.press("enter")
			h.typeText(passwords[bob])
			h.press("enter")
		}},
		{name: "signin-device", steps: func(t *testing.T, h *harness) {
			h.press("a")
			h.run(h.m.signin.ShowDeviceCode(fixedDeviceCode(h.env.srv.Now())), false)
		}},
		{name: "signin-device-nocolor", opts: func(o *Options) { o.NoColor = true }, steps: func(t *testing.T, h *harness) {
			h.press("a")
			h.run(h.m.signin.ShowDeviceCode(fixedDeviceCode(h.env.srv.Now())), false)
		}},
		{name: "signin-browser", opts: func(o *Options) {
			o.OpenBrowser = func(string) error { return nil }
		}, steps: func(t *testing.T, h *harness) {
			h.m.c.Backend = fixedBrowser{h.m.c.Backend}
			h.hold = holdType("signin.browserURLMsg")
			h.press("a", "enter")
		}},
		{name: "signin-browser-qr", opts: func(o *Options) {
			o.OpenBrowser = func(string) error { return nil }
		}, steps: func(t *testing.T, h *harness) {
			h.m.c.Backend = fixedBrowser{h.m.c.Backend}
			h.hold = holdType("signin.browserURLMsg")
			h.press("a", "enter", "Q")
		}},
		{name: "reauth", users: []string{alice, dave}, steps: func(t *testing.T, h *harness) {
			if err := h.env.srv.RevokeRefreshTokens(dave); err != nil {
				t.Fatal(err)
			}
			h.press("down", "R")
		}},
		{name: "carol-expired", users: []string{alice, carol}, steps: func(t *testing.T, h *harness) {
			h.env.srv.Advance(11 * time.Minute)
			h.press("down")
		}},
		{name: "carol-refreshed", users: []string{alice, carol}, steps: func(t *testing.T, h *harness) {
			h.env.srv.Advance(11 * time.Minute)
			h.press("down", "r")
		}},
		{name: "filter-no-match", users: []string{alice, carol, dave}, steps: func(t *testing.T, h *harness) {
			h.press("/")
			h.typeText("7c6e")
			h.press("enter")
		}},
		{name: "sorted-by-expiry", users: []string{alice, carol, dave}, steps: func(t *testing.T, h *harness) { h.press("o", "o") }},
		{name: "long-error", users: []string{alice}, steps: func(t *testing.T, h *harness) {
			h.send(common.StatusMsg{Kind: common.StatusError, Text: "refresh of alice@contoso.example failed: AADSTS7000215: " + strings.Repeat("an explanation that goes on ", 12)})
		}},
		{name: "messages", users: []string{alice}, steps: func(t *testing.T, h *harness) {
			h.send(common.StatusMsg{Kind: common.StatusError, Text: "refresh of alice@contoso.example failed: AADSTS7000215: " + strings.Repeat("an explanation that goes on ", 12)})
			h.press("t", "m")
		}},
		{name: "reauth-other", users: []string{alice, dave}, steps: func(t *testing.T, h *harness) {
			if err := h.env.srv.RevokeRefreshTokens(dave); err != nil {
				t.Fatal(err)
			}
			h.press("down", "R", "down", "down", "enter", "shift+tab")
			h.clearField()
			h.typeText(carol)
			h.press("tab")
			h.typeText(passwords[carol])
			h.press("enter")
		}},
		{name: "tiny", users: []string{alice}, sizes: []size{{20, 6}}},
		{name: "unlock", opts: withUnlock, steps: func(t *testing.T, h *harness) {}},
		{name: "unlock-wrong", opts: withUnlock, steps: func(t *testing.T, h *harness) {
			h.typeText("wrong")
			h.press("enter")
		}},
	}
	for _, tt := range tests {
		sz := tt.sizes
		if sz == nil {
			sz = sizes
		}
		for _, s := range sz {
			t.Run(fmt.Sprintf("%s-%dx%d", tt.name, s.w, s.h), func(t *testing.T) {
				e := newEnv(t, tt.users...)
				var opts []func(*Options)
				if tt.opts != nil {
					opts = append(opts, tt.opts)
				}
				h := newHarness(t, e, s.w, s.h, opts...)
				if tt.steps != nil {
					tt.steps(t, h)
				}
				checkFrame(t, h, s)
				h.golden(fmt.Sprintf("%s-%dx%d", tt.name, s.w, s.h))
				h.m.shutdown()
				h.release()
			})
		}
	}
}

// withUnlock starts on the passphrase screen; the passphrase is "open sesame".
func withUnlock(o *Options) {
	o.NeedsUnlock = true
	o.Unlock = func(_ context.Context, pass string) error {
		if pass != "open sesame" {
			return fmt.Errorf("vault: wrong passphrase")
		}
		return nil
	}
}

// checkFrame fails when the frame does not fill the terminal exactly.
func checkFrame(t *testing.T, h *harness, s size) {
	t.Helper()
	lines := strings.Split(h.m.View().Content, "\n")
	if len(lines) != s.h {
		t.Errorf("frame has %d lines, want %d", len(lines), s.h)
	}
	for i, l := range lines {
		if w := lipgloss.Width(l); w > s.w {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i, w, s.w, l)
		}
	}
}
