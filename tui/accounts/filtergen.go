package accounts

import (
	"strings"

	"charm.land/bubbles/v2/list"
	tea "charm.land/bubbletea/v2"
)

// The list filters in a command: each key typed into the filter, each new
// item list and each sort starts one, and Bubble Tea runs commands in
// goroutines of their own, so their matches can arrive in any order. The
// list takes whichever comes last, even the matches of an older filter
// text or of items since removed: typing "user99" and enter quickly could
// leave "filter “user99”" over thousands of accounts that do not match.
// So every command the list returns is numbered as it is made, and
// matches older than the newest taken are dropped.

// MatchesMsg is a filter's matches and the number of the command that
// computed them. They are the accounts screen's whichever screen is on
// top: the root routes them there (a reload while an account is open
// filters the list again).
type MatchesMsg struct {
	n       uint64
	matches list.FilterMatchesMsg
}

// numbered numbers a command the list returned; the filter matches it
// yields (itself or in a batch) arrive as MatchesMsg.
func (m *Model) numbered(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	m.filterGen++
	return numberCmd(cmd, m.filterGen)
}

func numberCmd(cmd tea.Cmd, n uint64) tea.Cmd {
	return func() tea.Msg {
		switch msg := cmd().(type) {
		case list.FilterMatchesMsg:
			return MatchesMsg{n: n, matches: msg}
		case tea.BatchMsg:
			out := make(tea.BatchMsg, 0, len(msg))
			for _, c := range msg {
				if c != nil {
					out = append(out, numberCmd(c, n))
				}
			}
			return out
		default:
			return msg
		}
	}
}

// takeMatches gives the list the matches unless newer ones were taken.
func (m Model) takeMatches(msg MatchesMsg) (Model, tea.Cmd) {
	if msg.n <= m.filterSeen {
		return m, nil
	}
	m.filterSeen = msg.n
	var cmd tea.Cmd
	m.list, cmd = m.list.Update(msg.matches)
	// The list counts pages as a key is typed, before its matches come,
	// and not when they do: the count would stay the key before's, "page
	// 1/2" over one account. Setting the size it has counts them again.
	m.list.SetSize(m.list.Width(), m.list.Height())
	if r := m.reselect; r != nil && msg.n >= r.after {
		m.reselect = nil
		m.restore(*r)
	}
	return m, m.numbered(cmd)
}

// pendingSelection is the selection to restore once the matches of
// command number after arrive: under an applied filter the list shows no
// account from the moment its items change until then, so neither the
// selected account nor its page can be kept at once.
type pendingSelection struct {
	after uint64
	id    string // home account id, "" when none was selected
	index int    // the selection's index, for when that account is gone
}

// awaitMatches keeps the selection for the filter command just numbered.
// A second change before the matches come keeps the first's selection,
// as nothing shows in between.
func (m *Model) awaitMatches(id string, index int) {
	p := pendingSelection{after: m.filterGen, id: id, index: index}
	if m.reselect != nil && id == "" {
		p.id, p.index = m.reselect.id, m.reselect.index
	}
	m.reselect = &p
}

// restore selects the account again, or the one that took its place (an
// account removed: the next one, as without a filter).
func (m *Model) restore(p pendingSelection) {
	visible := m.list.VisibleItems()
	if p.id != "" {
		for i, it := range visible {
			if strings.EqualFold(it.(item).acct.HomeAccountID, p.id) {
				m.list.Select(i)
				return
			}
		}
	}
	if len(visible) > 0 {
		m.list.Select(min(p.index, len(visible)-1))
	}
}
