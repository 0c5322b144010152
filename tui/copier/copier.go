// Package copier is the TUI's clipboard component: it puts a secret on the
// clipboard through a clipboard.Writer, says in the status line what really
// happened, and clears the copy later if the clipboard still holds it.
package copier

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"acctui/engine"
	"acctui/overview"
	"acctui/tui/clipboard"
	"acctui/tui/common"
)

// Timeout bounds one run of a clipboard tool: a tool that hangs must not
// keep the copy busy for ever.
const Timeout = 5 * time.Second

// copiedMsg is the outcome of a clipboard write.
type copiedMsg struct {
	label  string
	via    string
	secret engine.Secret
	err    error
}

// clearMsg says a copied token's time on the clipboard is up.
type clearMsg struct{ gen int }

// clearedMsg is the outcome of clearing the clipboard.
type clearedMsg struct {
	outcome clipboard.Outcome
	err     error
}

// Model copies secrets and clears them again.
type Model struct {
	c      *common.Common
	w      clipboard.Writer
	err    error
	clear  time.Duration
	report func(common.StatusKind, string)

	busy   string
	secret engine.Secret
	gen    int
}

// New returns the component on writer w; err, when set, is why there is no
// usable clipboard (said when the user copies). clear is how long a copy
// stays (negative: never cleared); report puts a line in the status bar.
func New(c *common.Common, w clipboard.Writer, err error, clear time.Duration, report func(common.StatusKind, string)) *Model {
	return &Model{c: c, w: w, err: err, clear: clear, report: report}
}

// Busy says a copy is under way, or "".
func (m *Model) Busy() string { return m.busy }

// Forget drops the pending clear and the secret it would compare with.
func (m *Model) Forget() {
	m.gen++
	m.secret = ""
}

// Copy puts a secret on the clipboard: OSC 52 goes out through the
// renderer, a native tool runs in a command under Timeout.
func (m *Model) Copy(label string, secret engine.Secret) tea.Cmd {
	if m.err != nil {
		m.report(common.StatusError, "cannot copy: "+m.err.Error())
		return nil
	}
	w := m.w
	if osc, ok := w.(*clipboard.OSC52Writer); ok && osc.Out == nil {
		seq := osc.Sequence(secret.Reveal())
		done := m.copied(copiedMsg{label: label, via: osc.Name(), secret: secret})
		return tea.Batch(tea.Raw(seq), done)
	}
	m.busy = "copying…"
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		err := w.Write(ctx, secret.Reveal())
		return copiedMsg{label: label, via: w.Name(), secret: secret, err: err}
	}
}

// Update handles the component's own messages; handled is false for any
// other message.
func (m *Model) Update(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	switch msg := msg.(type) {
	case copiedMsg:
		return m.copied(msg), true
	case clearMsg:
		return m.clearNow(msg), true
	case clearedMsg:
		m.cleared(msg)
		return nil, true
	}
	return nil, false
}

// copied reports a copy and schedules the clearing when it is possible.
func (m *Model) copied(msg copiedMsg) tea.Cmd {
	m.busy = ""
	if msg.err != nil {
		m.report(common.StatusError, "copy failed: "+msg.err.Error())
		return nil
	}
	text := "copied " + msg.label + " via " + msg.via
	m.Forget()
	switch {
	case !clipboard.CanClear(m.w):
		if _, ok := m.w.(*clipboard.OSC52Writer); ok {
			text += ": OSC 52 cannot be cleared, clear it yourself"
		} else {
			text += ": cannot read it back, so no clearing"
		}
		m.report(common.StatusWarn, text)
		return nil
	case m.clear < 0:
		m.report(common.StatusOK, text)
		return nil
	}
	m.secret = msg.secret
	m.report(common.StatusOK, fmt.Sprintf("%s; clears in %s if unchanged", text, overview.HumanDuration(m.clear)))
	gen := m.gen
	return m.c.Tick(m.clear, func(time.Time) tea.Msg { return clearMsg{gen: gen} })
}

func (m *Model) clearNow(msg clearMsg) tea.Cmd {
	if msg.gen != m.gen || m.secret == "" {
		return nil
	}
	w, text := m.w, m.secret.Reveal()
	m.secret = ""
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		outcome, err := clipboard.ClearIfUnchanged(ctx, w, text)
		return clearedMsg{outcome: outcome, err: err}
	}
}

func (m *Model) cleared(msg clearedMsg) {
	switch msg.outcome {
	case clipboard.Cleared:
		m.report(common.StatusOK, "clipboard cleared: it still held the token")
	case clipboard.Changed:
		m.report(common.StatusInfo, "clipboard changed since the copy; left as it is")
	default:
		text := "could not read the clipboard back; left as it is"
		if msg.err != nil {
			text += " (" + msg.err.Error() + ")"
		}
		m.report(common.StatusWarn, text)
	}
}
