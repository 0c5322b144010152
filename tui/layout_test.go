package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"acctui/tui/common"
)

func TestHelpListsTheKeysOfItsScreen(t *testing.T) {
	h := newHarness(t, newEnv(t, alice), 80, 40)
	h.press("enter", "?")
	h.contains("Account", "R       force refresh", "g/home  top", "G/end   bottom", "Everywhere")
	if v := h.view(); strings.Contains(v, "add account") || strings.Contains(v, "first") {
		t.Fatalf("help on the detail screen lists keys that do nothing there:\n%s", v)
	}
	if v := h.view(); strings.Count(v, "esc     back") != 1 {
		t.Fatalf("help on the detail screen does not list esc once:\n%s", v)
	}
	h.press("esc", "esc", "?")
	h.contains("g/home  first", "add account", "make active")

	// The sign-in screen's help follows its step: choosing a method has no
	// URL or code to copy yet.
	h.press("esc", "a", "?")
	h.contains("Sign in", "choose/submit")
	if v := h.view(); strings.Contains(v, "copy URL") || strings.Contains(v, "copy code") || strings.Contains(v, "next field") {
		t.Fatalf("help on the method chooser lists keys of later steps:\n%s", v)
	}
}

func TestScrolledViewSaysThereIsMore(t *testing.T) {
	h := newHarness(t, newEnv(t, alice), 80, 16)
	h.press("enter")
	h.contains("% ↓ more")
	for range 30 {
		h.press("j")
	}
	h.contains("100% ↑ more")
	// g and G go to the top and the bottom, as in the list
	h.press("g")
	h.contains(" 0% ↓ more")
	h.press("G")
	h.contains("100% ↑ more")
}

func TestDeviceCodeScreenCopiesCodeAndURL(t *testing.T) {
	e := newEnv(t)
	f := &fakeClipboard{readable: true}
	h := newHarness(t, e, 120, 40, func(o *Options) { o.ClipboardWriter = f })
	h.press("a")
	h.run(h.m.signin.ShowDeviceCode(fixedDeviceCode(e.srv.Now())), false)
	if !strings.Contains(h.m.View().Content, "\x1b]8;;https://microsoft.com/devicelogin") {
		t.Error("the verification URL is not an OSC 8 link")
	}
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

func TestMouseSelectsOpensAndPressesButtons(t *testing.T) {
	h := newHarness(t, newEnv(t, alice, carol, dave), 80, 24)
	// Screen rows: 0 header, 1 count, 2 title bar, 3-4 alice, 6-7 carol.
	h.send(tea.MouseClickMsg{X: 10, Y: 6, Button: tea.MouseLeft})
	if a, _ := h.m.accounts.Selected(); a.Username != carol {
		t.Fatalf("a click on carol's row selected %q", a.Username)
	}
	h.send(tea.MouseClickMsg{X: 10, Y: 7, Button: tea.MouseLeft})
	h.contains("acctui · Account", "carol@contoso.example")
	h.press("d")
	lines := strings.Split(h.view(), "\n")
	for y, l := range lines {
		if i := strings.Index(l, "[ n/esc no, keep ]"); i >= 0 {
			h.send(tea.MouseClickMsg{X: ansi.StringWidth(l[:i]) + 3, Y: y, Button: tea.MouseLeft})
		}
	}
	if h.m.active != screenDetail {
		t.Fatalf("the keep button did not close the dialog: screen %d", h.m.active)
	}
	h.press("d")
	for y, l := range strings.Split(h.view(), "\n") {
		if i := strings.Index(l, "[ y yes, remove ]"); i >= 0 {
			h.send(tea.MouseClickMsg{X: ansi.StringWidth(l[:i]) + 3, Y: y, Button: tea.MouseLeft})
		}
	}
	h.contains("removed carol@contoso.example", "2 accounts")
}

func TestTinyTerminalStillFits(t *testing.T) {
	s := size{20, 6}
	h := newHarness(t, newEnv(t, alice, carol), s.w, s.h)
	for _, keys := range [][]string{nil, {"enter"}, {"v"}, {"esc", "d"}, {"n", "esc", "?"}, {"esc", "a"}, {"esc", "m"}} {
		h.press(keys...)
		checkFrame(t, h, s)
	}
	h.send(common.StatusMsg{Kind: common.StatusError, Text: strings.Repeat("a long error ", 20)})
	checkFrame(t, h, s)
}

// TestNarrowPaneSaysHowToEndTyping: in a 40-column pane (an 80-column
// terminal split in two) typing a filter still shows how to apply it, and
// in 60 how to cancel it too: the long "ctrl+c quit, even while typing"
// gives way to "ctrl+c quit" when that shows more of the screen's keys.
func TestNarrowPaneSaysHowToEndTyping(t *testing.T) {
	for _, tt := range []struct {
		width int
		want  string
	}{
		{40, "enter apply filter • ctrl+c quit"},
		{60, "enter apply filter • esc cancel filter • ctrl+c quit"},
		{100, "enter apply filter • esc cancel filter • ctrl+c quit, even while typing"},
	} {
		h := newHarness(t, newEnv(t, alice, carol), tt.width, 16)
		h.press("/")
		h.contains(tt.want)
	}
}
