package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"acctui/engine"
	"acctui/overview"
	"acctui/tui/accounts"
	"acctui/tui/common"
	"acctui/tui/signin"
)

// refreshedMsg is the outcome of a silent refresh.
type refreshedMsg struct {
	account overview.Account
	result  engine.Result
	err     error
}

// removedMsg is the outcome of a removal.
type removedMsg struct {
	account overview.Account
	err     error
}

// tokenForCopyMsg carries the token the user asked to copy.
type tokenForCopyMsg struct {
	account overview.Account
	result  engine.Result
	err     error
}

func (m *model) accountsLoaded(msg accounts.LoadedMsg) tea.Cmd {
	msg.Accounts = m.markNeedsSignIn(msg.Accounts)
	cmd := m.accounts.Update(msg)
	if msg.Err != nil {
		text, next := common.Explain(msg.Err, "")
		m.setStatus(common.StatusError, joinAdvice("could not read the accounts: "+text, next))
		return cmd
	}
	if m.pendingSelect != "" {
		m.accounts.SelectID(m.pendingSelect)
		m.pendingSelect = ""
	}
	if id := m.detail.Account().HomeAccountID; id != "" {
		if a, ok := m.accounts.Account(id); ok {
			m.detail.SetAccount(a)
		}
		m.syncDetailActive()
	}
	return cmd
}

// refresh renews an account's token silently.
func (m *model) refresh(msg common.RefreshMsg) tea.Cmd {
	verb := "refreshing"
	if msg.Force {
		verb = "force-refreshing"
	}
	m.busy = verb + " " + msg.Account.Username + "…"
	b := m.c.Backend
	acct, force := msg.Account, msg.Force
	return common.Call(common.CallTimeout,
		func(ctx context.Context) (engine.Result, error) { return b.Refresh(ctx, acct.HomeAccountID, force) },
		func(r engine.Result, err error) tea.Msg { return refreshedMsg{account: acct, result: r, err: err} })
}

// refreshed reports a refresh; one that needs the user goes straight on to
// a sign-in for that account with the claims challenge it got.
func (m *model) refreshed(msg refreshedMsg) tea.Cmd {
	m.busy = ""
	user := msg.account.Username
	switch {
	case msg.err == nil:
		delete(m.needsSignIn, strings.ToLower(msg.account.HomeAccountID))
		left := overview.HumanDuration(msg.result.ExpiresOn.Sub(m.c.Now()))
		if msg.result.Source == engine.SourceCache {
			m.setStatus(common.StatusOK, fmt.Sprintf("%s: cached token still valid for %s (R forces a new one)", user, left))
		} else {
			m.setStatus(common.StatusOK, fmt.Sprintf("refreshed %s: valid for %s", user, left))
		}
		if strings.EqualFold(m.detail.Account().HomeAccountID, msg.account.HomeAccountID) {
			// The claims shown must be the new ID token's.
			return tea.Batch(m.accounts.Load(), m.detail.ReloadClaims())
		}
		return m.accounts.Load()
	case common.NeedsSignIn(msg.err):
		return m.signInAgain(common.SignInAgainMsg{Account: msg.account, Err: msg.err})
	}
	text, next := common.Explain(msg.err, common.MethodRefresh)
	m.setStatus(common.StatusError, joinAdvice("refresh of "+user+" failed: "+text, next))
	return nil
}

// signInAgain marks an account as needing the user and goes to a sign-in
// for it, with the claims challenge the refusal carried.
func (m *model) signInAgain(msg common.SignInAgainMsg) tea.Cmd {
	user := msg.Account.Username
	if msg.Account.Principal != "" {
		// An app or identity has no one to sign in: its credential was
		// refused, and only a new one (added again) helps.
		text, _ := common.Explain(msg.Err, common.MethodRefresh)
		m.setStatus(common.StatusError, joinAdvice(user+" was refused: "+text, "add it again with a valid credential ("+m.keys.Add.Help().Key+")"))
		return m.accounts.Load()
	}
	m.needsSignIn[strings.ToLower(msg.Account.HomeAccountID)] = true
	text, _ := common.Explain(msg.Err, common.MethodRefresh)
	m.signin.Start(signin.Options{
		SignInRequest: SignInRequest{LoginHint: user, Claims: common.ClaimsChallenge(msg.Err)},
		Reason:        "A silent sign-in was refused: " + text,
		For:           msg.Account,
	})
	var closed tea.Cmd
	if m.active == screenToken {
		// The token view has no token to show: the sign-in takes its
		// place, so esc goes back to where the user asked for it.
		closed = m.pop()
	}
	cmd := tea.Batch(closed, m.push(screenSignIn))
	m.setStatus(common.StatusWarn, user+" needs to sign in again")
	return tea.Batch(cmd, m.accounts.Load())
}

// signedIn reports a sign-in. One meant to sign an account in again that
// came back as someone else says so: the other account is added as its own
// row, and the one asked for still needs its user.
func (m *model) signedIn(msg signin.SignedInMsg) tea.Cmd {
	m.home()
	if msg.Added != "" {
		m.setStatus(common.StatusOK, "added "+msg.Added)
		return m.accounts.Load()
	}
	got := msg.Result.Account
	m.pendingSelect = got.HomeAccountID
	delete(m.needsSignIn, strings.ToLower(got.HomeAccountID))
	want := msg.For
	if want.HomeAccountID != "" && !strings.EqualFold(want.HomeAccountID, got.HomeAccountID) {
		m.setStatus(common.StatusWarn, fmt.Sprintf("signed in as %s, not %s: %s is added as its own account, and %s still needs to sign in",
			got.Username, want.Username, got.Username, want.Username))
		return m.accounts.Load()
	}
	m.setStatus(common.StatusOK, "signed in as "+got.Username)
	return m.accounts.Load()
}

// markNeedsSignIn shows "sign in" on accounts whose silent calls were
// refused in this session: the cache still holds their refresh token, so
// the overview alone would call them refreshable.
func (m *model) markNeedsSignIn(list []overview.Account) []overview.Account {
	if len(m.needsSignIn) == 0 {
		return list
	}
	out := make([]overview.Account, len(list))
	for i, a := range list {
		if m.needsSignIn[strings.ToLower(a.HomeAccountID)] {
			a.Status, a.ExpiresOn = overview.StatusSignInNeeded, time.Time{}
		}
		out[i] = a
	}
	return out
}

func (m *model) remove(acct overview.Account) tea.Cmd {
	m.busy = "removing " + acct.Username + "…"
	b := m.c.Backend
	return common.Call(common.CallTimeout,
		func(ctx context.Context) (struct{}, error) { return struct{}{}, b.Remove(ctx, acct.HomeAccountID) },
		func(_ struct{}, err error) tea.Msg { return removedMsg{account: acct, err: err} })
}

func (m *model) removed(msg removedMsg) tea.Cmd {
	m.busy = ""
	if msg.err != nil {
		text, next := common.Explain(msg.err, common.MethodRemove)
		m.setStatus(common.StatusError, joinAdvice("could not remove "+msg.account.Username+": "+text, next))
		return nil
	}
	if strings.EqualFold(m.detail.Account().HomeAccountID, msg.account.HomeAccountID) || m.active == screenToken {
		m.home()
	}
	m.setStatus(common.StatusOK, "removed "+msg.account.Username)
	return m.accounts.Load()
}

// copyAccessToken gets a token for the account, then copies it.
func (m *model) copyAccessToken(acct overview.Account) tea.Cmd {
	m.busy = "getting a token for " + acct.Username + "…"
	b := m.c.Backend
	return common.Call(common.CallTimeout,
		func(ctx context.Context) (engine.Result, error) { return b.AccessToken(ctx, acct.HomeAccountID) },
		func(r engine.Result, err error) tea.Msg { return tokenForCopyMsg{account: acct, result: r, err: err} })
}

func (m *model) tokenForCopy(msg tokenForCopyMsg) tea.Cmd {
	m.busy = ""
	if common.NeedsSignIn(msg.err) {
		return m.signInAgain(common.SignInAgainMsg{Account: msg.account, Err: msg.err})
	}
	if msg.err != nil {
		text, next := common.Explain(msg.err, common.MethodRefresh)
		m.setStatus(common.StatusError, joinAdvice("no token for "+msg.account.Username+": "+text, next))
		return nil
	}
	cmd := m.clip.Copy("access token", msg.result.AccessToken)
	if msg.result.Source == engine.SourceIdentityProvider {
		cmd = tea.Batch(cmd, m.accounts.Load())
	}
	return cmd
}

func joinAdvice(text, next string) string {
	if next == "" {
		return text
	}
	return text + " → " + next
}
