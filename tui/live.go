package tui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"acctui/tui/backend"
	"acctui/tui/common"
)

// watchEvery is how often the vault's stamp is checked for changes made by
// another process (a CLI login, logout or refresh).
const watchEvery = 2 * time.Second

// liveTickMsg wakes the live list; gen tells the armed timer from stale ones.
type liveTickMsg struct{ gen int }

// stampMsg carries the vault's stamp.
type stampMsg struct {
	stamp string
	err   error
}

// live keeps the list current: one timer, armed for the sooner of the next
// visible badge change and the next vault check, and only while one of them
// is wanted. There is no busy loop: an idle list with no countdown on
// screen wakes every watchEvery for one stat of the vault file.
type live struct {
	gen      int
	armed    bool
	deadline time.Time
	stamp    string
	// noStamp is set when the backend cannot stamp its storage (a memory
	// store): the vault is then not watched.
	noStamp bool
}

// liveWait is how long until the live list wants to wake, if at all.
func (m *model) liveWait() (time.Duration, bool) {
	if m.quitting || m.active == screenUnlock {
		return 0, false
	}
	wait, ok := time.Duration(0), false
	if _, stamps := m.c.Backend.(backend.Stamper); stamps && !m.live.noStamp {
		wait, ok = watchEvery, true
	}
	if m.active == screenAccounts {
		if d, badge := m.accounts.NextChange(m.c.Now()); badge && (!ok || d < wait) {
			wait, ok = d, true
		}
	}
	return wait, ok
}

// armLive sets the timer when none is set, or when a sooner wake is now
// wanted (the list came back on top with a countdown).
func (m *model) armLive() tea.Cmd {
	wait, ok := m.liveWait()
	if !ok {
		return nil
	}
	deadline := m.c.Now().Add(wait)
	if m.live.armed && !deadline.Before(m.live.deadline) {
		return nil
	}
	m.live.gen++
	m.live.armed, m.live.deadline = true, deadline
	gen := m.live.gen
	return m.c.Tick(wait, func(time.Time) tea.Msg { return liveTickMsg{gen: gen} })
}

// liveTick redraws (by being a message at all) and checks the vault.
func (m *model) liveTick(msg liveTickMsg) tea.Cmd {
	if msg.gen != m.live.gen {
		return nil
	}
	m.live.armed = false
	st, ok := m.c.Backend.(backend.Stamper)
	if !ok || m.live.noStamp || m.active == screenUnlock {
		return nil
	}
	return common.Call(time.Second,
		func(ctx context.Context) (string, error) { return st.Stamp(ctx) },
		func(stamp string, err error) tea.Msg { return stampMsg{stamp: stamp, err: err} })
}

// stamped reloads the list when the vault changed since the last look.
func (m *model) stamped(msg stampMsg) tea.Cmd {
	if msg.err != nil {
		m.live.noStamp = m.live.stamp == "" // never had one: stop asking
		return nil
	}
	// The first look also reloads: the vault may have changed between the
	// first load and this look, and the stamp alone cannot tell.
	changed := m.live.stamp == "" || msg.stamp != m.live.stamp
	m.live.stamp = msg.stamp
	if !changed {
		return nil
	}
	return m.accounts.Load()
}
