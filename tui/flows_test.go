package tui

import (
	"context"
	"encoding/base64"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"acctui/engine/idptest"
	"acctui/tui/clipboard"
	"acctui/tui/detail"
)

func TestQuitKeys(t *testing.T) {
	tests := []struct {
		name     string
		opts     func(*Options)
		keys     []string
		wantQuit bool
	}{
		{name: "q on the list", keys: []string{"q"}, wantQuit: true},
		{name: "q while filtering types", keys: []string{"/", "q"}},
		{name: "ctrl+c while filtering", keys: []string{"/", "q", "ctrl+c"}, wantQuit: true},
		{name: "q in the password form types", keys: []string{"a", "down", "down", "enter", "q"}},
		{name: "q in the method choice", keys: []string{"a", "q"}, wantQuit: true},
		{name: "q on the passphrase screen types", opts: withUnlock, keys: []string{"q"}},
		{name: "ctrl+c on the passphrase screen", opts: withUnlock, keys: []string{"q", "ctrl+c"}, wantQuit: true},
		{name: "q on the detail screen", keys: []string{"enter", "q"}, wantQuit: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []func(*Options)
			if tt.opts != nil {
				opts = append(opts, tt.opts)
			}
			h := newHarness(t, newEnv(t, alice), 80, 24, opts...)
			h.press(tt.keys...)
			if h.quit != tt.wantQuit {
				t.Fatalf("quit = %v, want %v; view:\n%s", h.quit, tt.wantQuit, h.view())
			}
		})
	}
}

func TestFilterNarrowsAndClears(t *testing.T) {
	h := newHarness(t, newEnv(t, alice, carol, dave), 80, 24)
	h.press("/")
	h.typeText("dave")
	h.press("enter")
	h.contains("Dave Example", "1 of 3 accounts · filter “dave”")
	if strings.Contains(h.view(), "Alice Example") {
		t.Fatalf("filter kept alice:\n%s", h.view())
	}
	h.press("enter")
	h.contains("acctui · Account", "dave@fabrikam.example")
	h.press("esc", "esc")
	h.contains("Alice Example", "Carol Example", "Dave Example")
}

func TestCopyAccessToken(t *testing.T) {
	tests := []struct {
		name       string
		writer     func() clipboard.Writer
		afterCopy  func(*fakeClipboard)
		wantStatus []string
		wantAfter  string
		wantClear  bool
	}{
		{
			name:       "cleared when unchanged",
			writer:     func() clipboard.Writer { return &fakeClipboard{readable: true} },
			wantStatus: []string{"copied the access token to fake-clip; clears in 30s if unchanged"},
			wantAfter:  "cleared the clipboard: it still held the token",
			wantClear:  true,
		},
		{
			name:       "left alone when changed",
			writer:     func() clipboard.Writer { return &fakeClipboard{readable: true} },
			afterCopy:  func(f *fakeClipboard) { f.Write(context.Background(), "something else") },
			wantStatus: []string{"clears in 30s if unchanged"},
			wantAfter:  "clipboard changed since the copy",
		},
		{
			name:       "write-only tool is never cleared",
			writer:     func() clipboard.Writer { return writeOnly{&fakeClipboard{}} },
			wantStatus: []string{"to fake-clip; it cannot be read back, so it is not cleared"},
		},
		{
			name:       "a failed tool copies nothing and says so",
			writer:     func() clipboard.Writer { return failing{} },
			wantStatus: []string{"nothing was copied: clip tool broke; press v to see the token instead"},
		},
		{
			name:       "OSC 52 through tmux",
			writer:     func() clipboard.Writer { return &clipboard.OSC52Writer{Tmux: true} },
			wantStatus: []string{"sent the access token to the terminal as OSC 52 through tmux passthrough", "cannot check that it landed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, alice)
			w := tt.writer()
			h := newHarness(t, e, 200, 24, func(o *Options) { o.ClipboardWriter = w })
			h.press("c")
			h.contains(tt.wantStatus...)
			want := cachedAccessToken(t, e)
			switch w := w.(type) {
			case *fakeClipboard:
				if w.get() != want {
					t.Fatal("the clipboard does not hold the access token")
				}
				if tt.afterCopy != nil {
					tt.afterCopy(w)
				}
			case *clipboard.OSC52Writer:
				if len(h.raw) != 1 || !strings.HasPrefix(h.raw[0], "\x1bPtmux;\x1b\x1b]52;c;") {
					t.Fatalf("terminal got %q, want an OSC 52 sequence in tmux passthrough", h.raw)
				}
				if !strings.Contains(h.raw[0], base64.StdEncoding.EncodeToString([]byte(want))) {
					t.Fatal("the OSC 52 sequence does not carry the token")
				}
			}
			if got := h.pendingTicks(30 * time.Second); got != map[bool]int{true: 1, false: 0}[tt.wantAfter != ""] {
				t.Fatalf("%d clear timers pending", got)
			}
			h.fire(30 * time.Second)
			if tt.wantAfter != "" {
				h.contains(tt.wantAfter)
			}
			if f, ok := w.(*fakeClipboard); ok && tt.wantClear && f.get() != "" {
				t.Fatal("the clipboard still holds the token")
			}
		})
	}
}

// failing is a clipboard tool that fails.
type failing struct{}

func (failing) Name() string                        { return "failing" }
func (failing) Write(context.Context, string) error { return errors.New("clip tool broke") }

// writeOnly is a clipboard that cannot be read back.
type writeOnly struct{ f *fakeClipboard }

func (w writeOnly) Name() string                                 { return w.f.Name() }
func (w writeOnly) Write(ctx context.Context, text string) error { return w.f.Write(ctx, text) }

func cachedAccessToken(t *testing.T, e *env) string {
	t.Helper()
	accts, err := e.backend.Accounts(context.Background())
	if err != nil || len(accts) == 0 {
		t.Fatal(err)
	}
	r, err := e.backend.AccessToken(context.Background(), accts[0].HomeAccountID)
	if err != nil {
		t.Fatal(err)
	}
	return r.AccessToken.Reveal()
}

func TestRemoveAsksFirst(t *testing.T) {
	tests := []struct {
		name    string
		answer  string
		wantGon bool
	}{
		{name: "yes removes", answer: "y", wantGon: true},
		{name: "no keeps", answer: "n"},
		{name: "esc keeps", answer: "esc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, newEnv(t, alice, carol), 80, 24)
			h.press("d")
			h.contains("Remove this account?", "alice@contoso.example")
			h.press(tt.answer)
			h.contains("acctui · Accounts")
			gone := !strings.Contains(h.view(), "Alice Example")
			if gone != tt.wantGon {
				t.Fatalf("alice gone = %v, want %v:\n%s", gone, tt.wantGon, h.view())
			}
			if tt.wantGon {
				h.contains("removed alice@contoso.example", "1 account")
			}
		})
	}
}

func TestRefreshAfterExpiry(t *testing.T) {
	e := newEnv(t, carol)
	h := newHarness(t, e, 80, 24)
	h.contains("✓ valid 10m00s")
	h.press("r")
	h.contains("cached token still valid for 10m00s")
	e.srv.Advance(11 * time.Minute)
	h.contains("↻ refreshable")
	h.press("r")
	h.contains("✓ valid 10m00s", "refreshed carol@contoso.example: valid for 10m00s")
	e.srv.Advance(6 * time.Minute)
	h.contains("! expiring 4m00s")
	h.press("r") // the engine renews a token this close to expiry
	h.contains("✓ valid 10m00s", "refreshed carol@contoso.example")
	e.srv.Advance(time.Minute)
	h.press("R")
	h.contains("✓ valid 10m00s", "refreshed carol@contoso.example: valid for 10m00s")
}

func TestReauthAfterRevocation(t *testing.T) {
	e := newEnv(t, alice, dave)
	h := newHarness(t, e, 80, 24)
	if err := e.srv.RevokeRefreshTokens(dave); err != nil {
		t.Fatal(err)
	}
	h.press("down", "R")
	h.contains("Sign in again as dave@fabrikam.example", "AADSTS50173")
	// The password form is prefilled with the login hint.
	h.press("down", "down", "enter")
	h.contains("Username: dave@fabrikam.example")
	h.typeText(passwords[dave])
	h.press("enter")
	h.contains("acctui · Accounts", "signed in as dave@fabrikam.example")
	if !regexp.MustCompile(`▸ Dave Example +✓ valid 1h00m`).MatchString(h.view()) {
		t.Fatalf("dave is not selected and valid:\n%s", h.view())
	}
}

func TestRefreshOfExpiredAccountGoesToSignIn(t *testing.T) {
	e := newEnv(t, dave)
	h := newHarness(t, e, 80, 24)
	if err := e.srv.RevokeRefreshTokens(dave); err != nil {
		t.Fatal(err)
	}
	e.srv.Advance(2 * time.Hour)
	h.press("r")
	h.contains("Sign in again as dave@fabrikam.example")
}

func TestMFAUserByPassword(t *testing.T) {
	h := newHarness(t, newEnv(t), 80, 24)
	h.press("a", "down", "down", "enter")
	h.typeText(bob)
	h.press("tab")
	h.typeText(passwords[bob])
	h.press("enter")
	h.contains("AADSTS50076", "use browser or device code", "▸ Browser")
}

func TestDeviceCodeSignIn(t *testing.T) {
	e := newEnv(t)
	h := newHarness(t, e, 80, 24)
	h.hold = holdType("signin.deviceCodeMsg")
	h.press("a", "down", "enter")
	h.contains("Sign in with a device code", "Expires in 15m00s", "/devicelogin")
	code := regexp.MustCompile(`Code  ([A-Z0-9]+)`).FindStringSubmatch(h.view())
	if code == nil {
		t.Fatalf("no user code on screen:\n%s", h.view())
	}
	if err := e.srv.ApproveDeviceCode(code[1], alice); err != nil {
		t.Fatal(err)
	}
	h.release()
	h.contains("signed in as alice@contoso.example", "Alice Example")
}

func TestDeviceCodeCountdown(t *testing.T) {
	e := newEnv(t)
	h := newHarness(t, e, 80, 24)
	h.press("a")
	h.run(h.m.signin.ShowDeviceCode(fixedDeviceCode(e.srv.Now())), false)
	if h.pendingTicks(time.Second) != 1 {
		t.Fatal("the countdown is not running")
	}
	e.srv.Advance(time.Minute)
	h.fire(time.Second)
	h.contains("Expires in 14m00s")
	e.srv.Advance(15 * time.Minute)
	h.fire(time.Second)
	h.contains("The code has expired")
	h.press("esc")
	h.fire(time.Second)
	if n := h.pendingTicks(time.Second); n != 0 {
		t.Fatalf("%d countdown ticks after leaving the code", n)
	}
}

func TestBrowserSignIn(t *testing.T) {
	e := newEnv(t)
	errs := make(chan error, 1)
	h := newHarness(t, e, 80, 24, func(o *Options) {
		o.OpenBrowser = func(url string) error {
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				b := idptest.NewBrowser(e.srv.Client())
				resp, err := b.SignIn(ctx, url, carol, passwords[carol])
				if err == nil {
					_, _, err = b.Deliver(ctx, resp)
				}
				errs <- err
			}()
			return nil
		}
	})
	h.press("a", "enter")
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	h.contains("signed in as carol@contoso.example", "Carol Example")
}

func TestBrowserSignInCancel(t *testing.T) {
	e := newEnv(t, alice)
	h := newHarness(t, e, 80, 24, func(o *Options) { o.OpenBrowser = func(string) error { return nil } })
	h.m.c.Backend = fixedBrowser{e.backend}
	h.hold = holdType("signin.browserURLMsg")
	h.press("a", "enter")
	h.contains("Sign in with the browser", "waiting for the browser sign-in")
	h.press("esc")
	h.release()
	h.contains("Choose how to sign in:")
	if strings.Contains(h.view(), "✗") {
		t.Fatalf("a cancelled sign-in shows an error:\n%s", h.view())
	}
}

func TestDetailCountdownTicksOnlyWhileShown(t *testing.T) {
	e := newEnv(t, alice)
	h := newHarness(t, e, 80, 24)
	if h.pendingTicks(detail.TickInterval) != 0 {
		t.Fatal("a countdown runs on the list")
	}
	h.press("enter")
	if h.pendingTicks(detail.TickInterval) != 1 {
		t.Fatal("no countdown on the detail screen")
	}
	h.contains("UTC, in 1h00m)")
	e.srv.Advance(90 * time.Second)
	h.fire(detail.TickInterval)
	h.contains("UTC, in 58m30s)")
	if h.pendingTicks(detail.TickInterval) != 1 {
		t.Fatal("the countdown did not go on")
	}
	h.press("?") // covered by help: the countdown stops
	h.fire(detail.TickInterval)
	if n := h.pendingTicks(detail.TickInterval); n != 0 {
		t.Fatalf("%d ticks while covered", n)
	}
	h.press("esc") // uncovered: it starts again
	if h.pendingTicks(detail.TickInterval) != 1 {
		t.Fatal("the countdown did not restart")
	}
	h.press("esc") // left: it stops
	h.fire(detail.TickInterval)
	if n := h.pendingTicks(detail.TickInterval); n != 0 {
		t.Fatalf("%d ticks after leaving the detail screen", n)
	}
}

func TestTokenRevealAndCopy(t *testing.T) {
	e := newEnv(t, alice)
	f := &fakeClipboard{readable: true}
	h := newHarness(t, e, 80, 24, func(o *Options) { o.ClipboardWriter = f })
	want := cachedAccessToken(t, e)
	h.press("v")
	if strings.Contains(h.view(), want[:40]) {
		t.Fatal("the token is shown before it was revealed")
	}
	h.press("s")
	if !strings.Contains(h.view(), want[:40]) {
		t.Fatalf("the revealed token is not shown:\n%s", h.view())
	}
	h.press("c")
	if f.get() != want {
		t.Fatal("c did not copy the access token")
	}
	h.press("?", "esc")
	if strings.Contains(h.view(), want[:40]) {
		t.Fatal("the token is shown again after another screen covered it")
	}
}

func TestMouseWheelMovesSelection(t *testing.T) {
	h := newHarness(t, newEnv(t, alice, carol, dave), 80, 24)
	h.send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	h.send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	h.contains("▸ Dave Example")
	h.send(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	h.contains("▸ Carol Example")
}

func TestResizeFollows(t *testing.T) {
	h := newHarness(t, newEnv(t, alice, carol), 80, 24)
	for _, s := range []size{{120, 40}, {60, 20}, {100, 30}} {
		h.send(tea.WindowSizeMsg{Width: s.w, Height: s.h})
		checkFrame(t, h, s)
		h.press("enter")
		checkFrame(t, h, s)
		h.press("esc")
	}
}

func TestThemes(t *testing.T) {
	h := newHarness(t, newEnv(t, alice), 80, 24)
	var saved []string
	h.m.opts.SaveTheme = func(name string) error { saved = append(saved, name); return nil }
	for _, want := range []string{"light", "high-contrast", "catppuccin", "dracula", "default"} {
		h.press("t")
		h.contains("theme: " + want + " (remembered in the config file)")
		bg := h.m.View().BackgroundColor
		if (want == "default") != (bg == nil) {
			t.Errorf("theme %s: terminal background %v", want, bg)
		}
	}
	if strings.Join(saved, " ") != "light high-contrast catppuccin dracula default" {
		t.Errorf("remembered %q", saved)
	}
	if !sgrColour.MatchString(h.m.View().Content) {
		t.Fatal("the default theme draws no colour")
	}

	plain := newHarness(t, newEnv(t, alice), 80, 24, func(o *Options) { o.NoColor = true })
	for _, keys := range [][]string{nil, {"enter"}, {"v"}, {"?"}, {"a"}} {
		plain.press(keys...)
		if sgrColour.MatchString(plain.m.View().Content) {
			t.Fatalf("NO_COLOR view after %v has colours", keys)
		}
		plain.press("esc")
	}
	plain.press("t")
	plain.contains("NO_COLOR is set")
}

// sgrColour matches an SGR sequence that sets a foreground or background
// colour.
var sgrColour = regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9;]*)?m`)

func TestUnlockThenAccounts(t *testing.T) {
	h := newHarness(t, newEnv(t, alice), 80, 24, withUnlock)
	h.contains("The vault is locked")
	h.typeText("nope")
	h.press("enter")
	h.contains("wrong passphrase")
	h.typeText("open sesame")
	h.press("enter")
	h.contains("vault unlocked", "Alice Example")
}
