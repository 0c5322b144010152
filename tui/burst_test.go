package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

// burst delivers keys back to back, as the runtime does when they arrive
// faster than commands finish: no command's message comes in between.
func (h *harness) burst(keys ...string) {
	h.t.Helper()
	var cmds []tea.Cmd
	for _, k := range keys {
		_, cmd := h.m.Update(keyMsg(k))
		cmds = append(cmds, cmd)
	}
	for _, c := range cmds {
		h.run(c, false)
	}
}

func TestKeysInABurstReachTheirScreen(t *testing.T) {
	t.Run("d y removes the account", func(t *testing.T) {
		e := newEnv(t, alice, carol)
		h := newHarness(t, e, 80, 24)
		h.contains("2 accounts")
		h.burst("d", "y")
		h.contains("1 account", "removed alice@contoso.example")
		if h.m.active != screenAccounts {
			t.Fatalf("on screen %d after the removal", h.m.active)
		}
	})
	t.Run("a j j enter opens the third sign-in method", func(t *testing.T) {
		e := newEnv(t, alice)
		h := newHarness(t, e, 80, 24)
		h.burst("a", "j", "j", "enter")
		if h.m.active != screenSignIn {
			t.Fatalf("on screen %d, want the sign-in", h.m.active)
		}
		h.contains("Password:")
	})
	t.Run("v s reveals the token once it is loaded", func(t *testing.T) {
		e := newEnv(t, alice)
		h := newHarness(t, e, 80, 24)
		h.burst("v", "s")
		if h.m.active != screenToken || !h.m.token.Revealed() {
			t.Fatalf("screen %d, revealed %v: want the token view revealed", h.m.active, h.m.token.Revealed())
		}
	})
	t.Run("v s esc drops the held key with the screen", func(t *testing.T) {
		e := newEnv(t, alice)
		h := newHarness(t, e, 80, 24)
		h.burst("v", "s", "esc")
		if h.m.active != screenAccounts || len(h.m.heldKeys) != 0 || h.m.token.Revealed() {
			t.Fatalf("screen %d, %d keys held, revealed %v", h.m.active, len(h.m.heldKeys), h.m.token.Revealed())
		}
	})
}
