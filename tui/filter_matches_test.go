package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"acctui/engine"
	"acctui/engine/idptest"
)

// syntheticEnv is an emulator whose backend reads a cache of n made-up
// accounts, user0000 to user(n-1).
func syntheticEnv(t *testing.T, n int) *env {
	t.Helper()
	e := newEnv(t)
	store := syntheticStore(t, n, epoch)
	client, err := engine.New(engine.Config{ClientID: idptest.AzureCLIClientID, Authority: "https://login.microsoftonline.com/organizations", Cache: store, Now: e.srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	e.store, e.client, e.backend = store, client, NewEngineBackend(client, store, graph, e.srv.Now)
	return e
}

// TestFilterCountsThePagesOfItsMatches: while a filter is typed, the page
// count in the count line and under the list is that of the accounts the
// filter shows, typed one key at a time or in a burst. (The list takes the
// matches of each key without counting their pages; the count stayed
// that of the key before, "page 1/2" over one account.)
func TestFilterCountsThePagesOfItsMatches(t *testing.T) {
	for _, tt := range []struct {
		name string
		typ  func(h *harness, keys []string)
	}{
		{"one key at a time", func(h *harness, keys []string) { h.press(keys...) }},
		{"in a burst", func(h *harness, keys []string) { h.burst(keys...) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, syntheticEnv(t, 300), 80, 24)
			h.contains("300 accounts · by name · page 1/")

			// user02 matches 100 accounts (several pages), user029 ten, user0299 one
			tt.typ(h, []string{"/", "u", "s", "e", "r", "0", "2", "9", "9"})
			h.contains("1 of 300 accounts", "User 0299")
			if v := h.view(); strings.Contains(v, "page ") || strings.Contains(v, "1/") {
				t.Fatalf("one account shown over several pages:\n%s", v)
			}
			tt.typ(h, []string{"backspace"})
			h.contains("10 of 300 accounts · by name · page 1/2")
			h.press("enter")
			h.contains("10 of 300 accounts · filter “user029” · by name · page 1/2")
		})
	}
}

// TestFilterKeepsTheNewestMatches: Bubble Tea runs each command in a
// goroutine of its own, so the matches of "u" can arrive after those of
// "user0299". Run in reverse, as the runtime may, the screen still shows
// what the typed filter matches, before and after enter.
func TestFilterKeepsTheNewestMatches(t *testing.T) {
	h := newHarness(t, syntheticEnv(t, 300), 80, 24)
	var cmds []tea.Cmd
	for _, k := range []string{"/", "u", "s", "e", "r", "0", "2", "9", "9", "enter"} {
		_, cmd := h.m.Update(keyMsg(k))
		cmds = append(cmds, cmd)
	}
	for i := len(cmds) - 1; i >= 0; i-- {
		h.run(cmds[i], false)
	}
	h.contains("1 of 300 accounts · filter “user0299”", "User 0299")
	if v := h.view(); strings.Contains(v, "User 0000") {
		t.Fatalf("an older filter's matches replaced the newest:\n%s", v)
	}
}

// TestSortKeepsAnAppliedFilter: o (the next order) lists the filter's
// matches again in that order; it used to show "0 of 300" and "No account
// matches" until the list was reloaded.
func TestSortKeepsAnAppliedFilter(t *testing.T) {
	h := newHarness(t, syntheticEnv(t, 300), 80, 24)
	h.press("/")
	h.typeText("user029")
	h.press("enter")
	h.contains("10 of 300 accounts · filter “user029” · by name · page 1/2")
	h.press("o")
	h.contains("10 of 300 accounts · filter “user029” · by tenant · page 1/2", "User 02")
}

// TestFilterKeepsTheSelectionWhenTheListChanges: under an applied filter, a
// reload keeps the selected account and its page, and removing it selects
// the next one there, as without a filter. (The list shows nothing while
// it filters the new items again; the selection went back to page 1.)
func TestFilterKeepsTheSelectionWhenTheListChanges(t *testing.T) {
	h := newHarness(t, syntheticEnv(t, 300), 80, 24)
	h.press("/")
	h.typeText("user02")
	h.press("enter", "pgdown", "pgdown", "down")
	selected := func(want string) {
		t.Helper()
		if a, _ := h.m.accounts.Selected(); a.Username != want {
			t.Fatalf("selected %q, want %q; view:\n%s", a.Username, want, h.view())
		}
	}
	selected("user0213@contoso.example")
	h.contains("100 of 300 accounts · filter “user02” · by name · page 3/17")

	h.press("ctrl+r")
	selected("user0213@contoso.example")
	h.contains("100 of 300 accounts · filter “user02” · by name · page 3/17")

	h.press("d", "y")
	h.contains("removed user0213@contoso.example", "99 of 299 accounts · filter “user02” · by name · page 3/17")
	selected("user0214@contoso.example")
}

// TestFilterSurvivesAReloadBehindAnotherScreen: the list filters again when
// it reloads while an account is open (R writes the vault); the matches go
// to the list, not to the screen on top, which dropped them: back on the
// list, "0 of 2 accounts" and "No account matches".
func TestFilterSurvivesAReloadBehindAnotherScreen(t *testing.T) {
	h := newHarness(t, newEnv(t, alice, carol), 80, 24)
	h.press("/")
	h.typeText("contoso")
	h.press("enter")
	h.contains("2 of 2 accounts · filter “contoso”")
	h.press("enter", "R")
	h.contains("refreshed")
	h.press("esc")
	h.contains("2 of 2 accounts · filter “contoso”", "Alice Example", "Carol Example")
}
