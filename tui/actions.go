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
	"acctui/tui/clipboard"
	"acctui/tui/common"
	"acctui/tui/signin"
)

// clipboardTimeout bounds a clipboard tool.
const clipboardTimeout = 5 * time.Second

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

// copiedMsg is the outcome of a clipboard write.
type copiedMsg struct {
	label  string
	via    string
	secret engine.Secret
	err    error
}

// clipClearMsg says a copied token's time on the clipboard is up.
type clipClearMsg struct{ gen int }

// clipClearedMsg is the outcome of clearing the clipboard.
type clipClearedMsg struct {
	outcome clipboard.Outcome
	err     error
}

func (m *model) accountsLoaded(msg accounts.LoadedMsg) tea.Cmd {
	var cmd tea.Cmd
	m.accounts, cmd = m.accounts.Update(msg)
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
		left := overview.HumanDuration(msg.result.ExpiresOn.Sub(m.c.Now()))
		if msg.result.Source == engine.SourceCache {
			m.setStatus(common.StatusOK, fmt.Sprintf("%s: cached token still valid for %s (R forces a new one)", user, left))
		} else {
			m.setStatus(common.StatusOK, fmt.Sprintf("refreshed %s: valid for %s", user, left))
		}
		return m.accounts.Load()
	case common.NeedsSignIn(msg.err):
		text, _ := common.Explain(msg.err, common.MethodRefresh)
		m.signin.Start(signin.Options{
			SignInRequest: SignInRequest{LoginHint: user, Claims: common.ClaimsChallenge(msg.err)},
			Reason:        "A silent refresh was refused: " + text,
		})
		m.setStatus(common.StatusWarn, user+" needs to sign in again")
		return tea.Batch(m.push(screenSignIn), m.accounts.Load())
	}
	text, next := common.Explain(msg.err, common.MethodRefresh)
	m.setStatus(common.StatusError, joinAdvice("refresh of "+user+" failed: "+text, next))
	return nil
}

func (m *model) signedIn(msg signin.SignedInMsg) tea.Cmd {
	m.home()
	m.pendingSelect = msg.Result.Account.HomeAccountID
	m.setStatus(common.StatusOK, "signed in as "+msg.Result.Account.Username)
	return m.accounts.Load()
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
	if msg.err != nil {
		text, next := common.Explain(msg.err, common.MethodRefresh)
		if common.NeedsSignIn(msg.err) {
			next = "press " + m.keys.Refresh.Help().Key + " to sign in again"
		}
		m.setStatus(common.StatusError, joinAdvice("no token for "+msg.account.Username+": "+text, next))
		return nil
	}
	cmd := m.copy("access token", msg.result.AccessToken)
	if msg.result.Source == engine.SourceIdentityProvider {
		cmd = tea.Batch(cmd, m.accounts.Load())
	}
	return cmd
}

// copy puts a secret on the clipboard: OSC 52 goes out through the
// renderer, a native tool runs in a command.
func (m *model) copy(label string, secret engine.Secret) tea.Cmd {
	if m.clipErr != nil {
		m.setStatus(common.StatusError, "cannot copy: "+m.clipErr.Error())
		return nil
	}
	w := m.clip
	if osc, ok := w.(*clipboard.OSC52Writer); ok && osc.Out == nil {
		seq := osc.Sequence(secret.Reveal())
		done := m.copied(copiedMsg{label: label, via: osc.Name(), secret: secret})
		return tea.Batch(tea.Raw(seq), done)
	}
	m.busy = "copying…"
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), clipboardTimeout)
		defer cancel()
		err := w.Write(ctx, secret.Reveal())
		return copiedMsg{label: label, via: w.Name(), secret: secret, err: err}
	}
}

// copied reports a copy and schedules the clearing when it is possible.
func (m *model) copied(msg copiedMsg) tea.Cmd {
	m.busy = ""
	if msg.err != nil {
		m.setStatus(common.StatusError, "copy failed: "+msg.err.Error())
		return nil
	}
	text := "copied " + msg.label + " via " + msg.via
	m.clipGen++
	m.clipSecret = ""
	switch {
	case !clipboard.CanClear(m.clip):
		if _, ok := m.clip.(*clipboard.OSC52Writer); ok {
			text += ": OSC 52 cannot be cleared, clear it yourself"
		} else {
			text += ": cannot read it back, so no clearing"
		}
		m.setStatus(common.StatusWarn, text)
		return nil
	case m.opts.ClipboardClear < 0:
		m.setStatus(common.StatusOK, text)
		return nil
	}
	m.clipSecret = msg.secret
	m.setStatus(common.StatusOK, fmt.Sprintf("%s; clears in %s if unchanged", text, overview.HumanDuration(m.opts.ClipboardClear)))
	gen := m.clipGen
	return m.c.Tick(m.opts.ClipboardClear, func(time.Time) tea.Msg { return clipClearMsg{gen: gen} })
}

func (m *model) clearClipboard(msg clipClearMsg) tea.Cmd {
	if msg.gen != m.clipGen || m.clipSecret == "" {
		return nil
	}
	w, text := m.clip, m.clipSecret.Reveal()
	m.clipSecret = ""
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), clipboardTimeout)
		defer cancel()
		outcome, err := clipboard.ClearIfUnchanged(ctx, w, text)
		return clipClearedMsg{outcome: outcome, err: err}
	}
}

func (m *model) clipboardCleared(msg clipClearedMsg) tea.Cmd {
	switch msg.outcome {
	case clipboard.Cleared:
		m.setStatus(common.StatusOK, "clipboard cleared: it still held the token")
	case clipboard.Changed:
		m.setStatus(common.StatusInfo, "clipboard changed since the copy; left as it is")
	default:
		text := "could not read the clipboard back; left as it is"
		if msg.err != nil {
			text += " (" + msg.err.Error() + ")"
		}
		m.setStatus(common.StatusWarn, text)
	}
	return nil
}

func joinAdvice(text, next string) string {
	if next == "" {
		return text
	}
	return text + " → " + next
}
