// Package copier is the TUI's clipboard component: it puts a secret on the
// clipboard through a clipboard.Writer, says in the status line what really
// happened, and clears the copy later if the clipboard still holds it.
package copier

import (
	"context"
	"sync/atomic"
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
	where  string
	secret engine.Secret
	err    error
	// detached is set when a separate process will clear the copy, also
	// after acctui quits.
	detached bool
	// noClear marks text that is no secret: it stays on the clipboard.
	noClear bool
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
	// detach starts a process that clears the copy later even if acctui
	// has quit by then; nil clears only while acctui runs.
	detach func(w clipboard.Writer, after time.Duration, text string) error
	// instead says how to get at the text when a copy failed or cannot be
	// checked; it depends on the screen the user is on.
	instead func() string

	busy   string
	secret engine.Secret
	gen    int
	// inflight counts copies under way, which quitting waits for, so a
	// copy that landed always gets its clearer.
	inflight atomic.Int32
}

// New returns the component on writer w; err, when set, is why there is no
// usable clipboard (said when the user copies). clear is how long a copy
// stays (negative: never cleared); report puts a line in the status bar.
func New(c *common.Common, w clipboard.Writer, err error, clear time.Duration, report func(common.StatusKind, string)) *Model {
	return &Model{c: c, w: w, err: err, clear: clear, report: report}
}

// SetInstead sets what the status suggests when a copy failed or cannot be
// checked ("press v to see the token instead"); the advice depends on the
// screen, so the root gives it.
func (m *Model) SetInstead(instead func() string) { m.instead = instead }

// insteadText is the advice for a copy that failed or cannot be checked.
func (m *Model) insteadText() string {
	if m.instead != nil {
		return m.instead()
	}
	return "press v to see the token instead"
}

// DetachClear sets how a copy is handed to a process that outlives acctui
// for its clearing (clipboard.SpawnClearer in the real program).
func (m *Model) DetachClear(detach func(w clipboard.Writer, after time.Duration, text string) error) {
	m.detach = detach
}

// Busy says a copy is under way, or "".
func (m *Model) Busy() string { return m.busy }

// Wait waits, up to limit, for copies under way to finish; it looks every
// 10 ms, which only matters at exit.
func (m *Model) Wait(limit time.Duration) {
	for deadline := time.Now().Add(limit); m.inflight.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
}

// Forget drops the pending clear and the secret it would compare with.
func (m *Model) Forget() {
	m.gen++
	m.secret = ""
}

// CopyText puts text that is no secret (a URL, a device code) on the
// clipboard; it is not cleared later.
func (m *Model) CopyText(label, text string) tea.Cmd {
	return m.copy(label, engine.Secret(text), false)
}

// Copy puts a secret on the clipboard and clears it later if the clipboard
// still holds it.
func (m *Model) Copy(label string, secret engine.Secret) tea.Cmd {
	return m.copy(label, secret, true)
}

// copy writes to the clipboard: OSC 52 goes out through the renderer, a
// tool (tmux, wl-copy, …) runs in a command under Timeout.
func (m *Model) copy(label string, secret engine.Secret, clear bool) tea.Cmd {
	if m.err != nil {
		m.report(common.StatusError, "nothing was copied: "+m.err.Error()+"; "+m.insteadText())
		return nil
	}
	w := m.w
	if osc, ok := w.(*clipboard.OSC52Writer); ok && osc.Out == nil {
		seq := osc.Sequence(secret.Reveal())
		done := m.copied(copiedMsg{label: label, secret: secret, noClear: !clear})
		return tea.Batch(tea.Raw(seq), done)
	}
	m.busy = "copying…"
	detach, after := m.detach, m.clear
	if !clear {
		detach = nil
	}
	inflight := &m.inflight
	return func() tea.Msg {
		inflight.Add(1)
		defer inflight.Add(-1)
		ctx, cancel := context.WithTimeout(context.Background(), Timeout)
		defer cancel()
		text := secret.Reveal()
		if err := w.Write(ctx, text); err != nil {
			return copiedMsg{label: label, err: err}
		}
		// The clearer first: the user may quit the moment the copy lands.
		detached := false
		if detach != nil && after >= 0 && clipboard.CanClear(w) {
			detached = detach(w, after, text) == nil
		}
		return copiedMsg{label: label, where: w.Name(), secret: secret, noClear: !clear, detached: detached}
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

// copied reports what a copy really did and schedules the clearing when
// the clipboard can be read back.
func (m *Model) copied(msg copiedMsg) tea.Cmd {
	m.busy = ""
	if msg.err != nil {
		m.report(common.StatusError, "nothing was copied: "+msg.err.Error()+"; "+m.insteadText())
		return nil
	}
	m.Forget()
	if osc, ok := m.w.(*clipboard.OSC52Writer); ok {
		text := "sent the " + msg.label + " to the terminal as OSC 52"
		switch {
		case osc.Tmux:
			text += " through tmux passthrough"
		case osc.TmuxBlocked:
			text += ", which tmux keeps only with set-clipboard on (allow-passthrough is off; clipboard = auto copies through tmux itself)"
		}
		if msg.noClear {
			m.report(common.StatusWarn, text+"; acctui cannot check that it landed")
			return nil
		}
		m.report(common.StatusWarn, text+"; acctui cannot check that it landed or clear it: if paste fails, "+m.insteadText())
		return nil
	}
	text := "copied the " + msg.label + " to " + msg.where
	switch {
	case msg.noClear:
		m.report(common.StatusOK, text)
		return nil
	case !clipboard.CanClear(m.w):
		m.report(common.StatusWarn, text+"; it cannot be read back, so it is not cleared: clear it yourself")
		return nil
	case m.clear < 0:
		m.report(common.StatusOK, text)
		return nil
	}
	m.secret = msg.secret
	when := "clears in " + overview.HumanDuration(m.clear) + " if unchanged"
	if msg.detached {
		when += ", also after acctui quits"
	}
	m.report(common.StatusOK, text+"; "+when)
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
		what := "the clipboard"
		if d, ok := m.w.(interface{ ClearedWhat() string }); ok {
			what = d.ClearedWhat()
		}
		m.report(common.StatusOK, "cleared "+what+": it still held the token")
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
