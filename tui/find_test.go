package tui

import (
	"strings"
	"testing"
)

func TestFilterMatchesWhatIsShown(t *testing.T) {
	h := newHarness(t, newEnv(t, alice, carol, dave), 80, 24)
	// "7c6e" is in contoso's tenant GUID, which the rows do not show.
	h.press("/")
	h.typeText("7c6e")
	h.contains("0 of 3 accounts")
	h.press("enter")
	h.contains("0 of 3 accounts · filter “7c6e”")
	if h.m.accounts.Typing() {
		t.Fatal("enter with no match left the filter being typed")
	}
	h.press("esc") // clears the applied filter
	h.contains("3 accounts · by name")
	h.press("/")
	h.typeText("contoso")
	h.press("enter")
	h.contains("2 of 3 accounts · filter “contoso”", "Alice Example", "Carol Example")
}

func TestFilterHighlightsMatches(t *testing.T) {
	h := newHarness(t, newEnv(t, alice, carol), 80, 24)
	h.press("/")
	h.typeText("rol")
	raw := h.m.View().Content
	row := ""
	for _, l := range strings.Split(raw, "\n") {
		if strings.Contains(l, "Ca") && strings.Contains(l, "Example") {
			row = l
		}
	}
	if row == "" || strings.Contains(row, "Carol Example") {
		t.Fatalf("the match in carol's name is not marked: %q", row)
	}
}

func TestSortOrders(t *testing.T) {
	h := newHarness(t, newEnv(t, alice, carol, dave), 80, 24)
	order := func() []string {
		var got []string
		for _, l := range strings.Split(h.view(), "\n") {
			for _, n := range []string{"Alice", "Carol", "Dave"} {
				if strings.Contains(l, n+" Example") {
					got = append(got, n)
				}
			}
		}
		return got
	}
	if got := strings.Join(order(), " "); got != "Alice Carol Dave" {
		t.Fatalf("by name: %s", got)
	}
	h.press("o") // tenant: contoso before fabrikam
	h.contains("by tenant")
	h.press("o") // expiry: carol's 10 minutes first
	h.contains("by expiry")
	if got := strings.Join(order(), " "); got != "Carol Alice Dave" {
		t.Fatalf("by expiry: %s", got)
	}
}
