package tui

import (
	"strings"
	"testing"
)

func TestHelpListsTheKeysOfItsScreen(t *testing.T) {
	h := newHarness(t, newEnv(t, alice), 80, 40)
	h.press("enter", "?")
	h.contains("Account", "R       force refresh", "Everywhere")
	if v := h.view(); strings.Contains(v, "g/home") || strings.Contains(v, "add account") {
		t.Fatalf("help on the detail screen lists keys that do nothing there:\n%s", v)
	}
	h.press("esc", "esc", "?")
	h.contains("g/home", "add account")
}

func TestScrolledViewSaysThereIsMore(t *testing.T) {
	h := newHarness(t, newEnv(t, alice), 80, 16)
	h.press("enter")
	h.contains("% ↓ more")
	h.press("G")
	for range 30 {
		h.press("j")
	}
	h.contains("100% ↑ more")
}

func TestDeviceCodeScreenCopiesCodeAndURL(t *testing.T) {
	e := newEnv(t)
	f := &fakeClipboard{readable: true}
	h := newHarness(t, e, 120, 40, func(o *Options) { o.ClipboardWriter = f })
	h.press("a")
	h.run(h.m.signin.ShowDeviceCode(fixedDeviceCode(e.srv.Now())), false)
	h.press("c")
	if got := f.get(); got != "HQ7KM2XPD" {
		t.Fatalf("c copied %q, want the device code", got)
	}
	h.contains("copied the device code to fake-clip")
	if h.pendingTicks(DefaultClipboardClear) != 0 {
		t.Fatal("a device code copy schedules a clearing")
	}
	h.press("u")
	if got := f.get(); got != "https://microsoft.com/devicelogin" {
		t.Fatalf("u copied %q, want the URL", got)
	}
}
