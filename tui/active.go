package tui

import (
	"context"
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"

	"acctui/overview"
	"acctui/tui/backend"
	"acctui/tui/common"
)

// activeSetMsg is the outcome of making an account active: the active
// account as read back from the vault afterwards, so the status says what
// the vault holds, not what was asked.
type activeSetMsg struct {
	account overview.Account
	// was is the active account before, as the list knew it.
	was    string
	active string
	err    error
}

// useAccount makes an account the active one, then reads the mark back.
func (m *model) useAccount(acct overview.Account) tea.Cmd {
	m.busy = "making " + acct.Username + " the active account…"
	b := m.c.Backend
	was := m.accounts.Active()
	return common.Call(common.CallTimeout,
		func(ctx context.Context) (string, error) {
			if err := b.SetActiveAccount(ctx, acct.HomeAccountID); err != nil {
				return "", err
			}
			return b.ActiveAccount(ctx)
		},
		func(active string, err error) tea.Msg {
			return activeSetMsg{account: acct, was: was, active: active, err: err}
		})
}

// activeSet moves the mark to what the vault now holds and says so.
func (m *model) activeSet(msg activeSetMsg) tea.Cmd {
	m.busy = ""
	user := msg.account.Username
	if msg.err != nil {
		if errors.Is(msg.err, backend.ErrNoActiveAccount) {
			m.setStatus(common.StatusWarn, "could not make "+user+" active: "+msg.err.Error())
			return nil
		}
		text, next := common.Explain(msg.err, "")
		m.setStatus(common.StatusError, joinAdvice("could not make "+user+" active: "+text, next))
		return nil
	}
	cmd := m.accounts.SetActive(msg.active)
	m.syncDetailActive()
	switch {
	case !strings.EqualFold(msg.active, msg.account.HomeAccountID):
		other := "no account"
		if a, ok := m.accounts.Account(msg.active); ok {
			other = a.Username
		}
		m.setStatus(common.StatusError, "asked to make "+user+" active, but the vault names "+other+" as active")
	case strings.EqualFold(msg.was, msg.active):
		m.setStatus(common.StatusInfo, user+" was already the active account")
	default:
		m.setStatus(common.StatusOK, user+" is the active account now (as with acctui use)")
	}
	return cmd
}

// syncDetailActive tells the detail screen whether its account is active.
func (m *model) syncDetailActive() {
	if id := m.detail.Account().HomeAccountID; id != "" {
		m.detail.SetActive(m.accounts.IsActive(id))
	}
}
