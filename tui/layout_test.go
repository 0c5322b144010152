package tui

import (
	"strings"
	"testing"

	"acctui/tui/common"
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

func TestMessagesStayWithTheirScreenAndAreKept(t *testing.T) {
	h := newHarness(t, newEnv(t, alice), 80, 24)
	long := "refresh of alice failed: " + strings.Repeat("a long explanation from the identity provider ", 8) + "THE END"
	h.send(common.StatusMsg{Kind: common.StatusError, Text: long})
	h.contains("refresh of alice failed")
	if strings.Contains(h.view(), "THE END") {
		t.Fatal("the status line shows a message of 400 characters whole: it should wrap to three lines")
	}
	h.press("enter")
	if strings.Contains(h.view(), "refresh of alice failed") {
		t.Fatalf("the list's message followed to the detail screen:\n%s", h.view())
	}
	h.press("m")
	h.contains("Messages of this session", "THE END")
}

func TestKeyBarKeepsHelpAt80Columns(t *testing.T) {
	h := newHarness(t, newEnv(t, alice), 80, 24)
	for _, keys := range [][]string{nil, {"enter"}, {"v"}, {"esc", "a"}, {"esc", "/"}} {
		h.press(keys...)
		lines := strings.Split(h.view(), "\n")
		bar := lines[len(lines)-1]
		if !strings.Contains(bar, "? help") && !strings.Contains(bar, "ctrl+c") {
			t.Fatalf("after %v the key bar lost ? help: %q", keys, bar)
		}
	}
}
