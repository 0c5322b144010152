package tui

import (
	"strings"
	"testing"

	"acctui/engine"
	"acctui/engine/idptest"
)

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
			e := newEnv(t)
			store := syntheticStore(t, 300, epoch)
			client, err := engine.New(engine.Config{ClientID: idptest.AzureCLIClientID, Authority: "https://login.microsoftonline.com/organizations", Cache: store, Now: e.srv.Now})
			if err != nil {
				t.Fatal(err)
			}
			e.store, e.client, e.backend = store, client, NewEngineBackend(client, store, graph, e.srv.Now)
			h := newHarness(t, e, 80, 24)
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
