// Package statusbar is the line above the key bar: a spinner while
// something is busy, else the latest status message, wrapped to a few
// lines; it keeps the session's messages for the messages screen.
package statusbar

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"acctui/internal/safetext"
	"acctui/tui/common"
	"acctui/tui/messages"
)

// MaxLines is how many lines a long message may take before it is cut;
// the body gives up the room.
const MaxLines = 3

// maxHistory is how many messages are kept for the messages screen.
const maxHistory = 50

// spinMsg advances the spinner; gen tells the live loop from stale ones.
type spinMsg struct{ gen int }

// Model is the status bar.
type Model struct {
	c *common.Common
	// busy says what is in progress, or "" (asked each time: the root,
	// the clipboard or the screen on top may be busy).
	busy func() string
	// moreKey opens the messages screen, named when a message is cut.
	moreKey string

	kind    common.StatusKind
	text    string
	history []messages.Entry

	spinner  spinner.Model
	spinning bool
	gen      int
}

// New returns an empty status bar.
func New(c *common.Common, busy func() string, moreKey string) *Model {
	return &Model{c: c, busy: busy, moreKey: moreKey,
		spinner: spinner.New(spinner.WithSpinner(spinner.MiniDot), spinner.WithStyle(c.Styles.Spinner))}
}

// Set shows a message and keeps it in the history.
func (m *Model) Set(kind common.StatusKind, text string) {
	m.kind, m.text = kind, text
	m.history = append(m.history, messages.Entry{At: m.c.Now(), Kind: kind, Text: text})
	if len(m.history) > maxHistory {
		m.history = m.history[len(m.history)-maxHistory:]
	}
}

// Clear ends the shown message (the history keeps it): a message belongs
// to the screen and moment it came from.
func (m *Model) Clear() { m.text = "" }

// History is the session's messages, oldest first.
func (m *Model) History() []messages.Entry { return m.history }

// ApplyStyles takes the theme's spinner style.
func (m *Model) ApplyStyles() { m.spinner.Style = m.c.Styles.Spinner }

// Lines is the spinner line, or the message wrapped to width (at least one
// line, empty when there is nothing to say). The message may carry text
// from outside acctui, so it is made safe here, where it is printed.
func (m *Model) Lines(width int) []string {
	s := m.c.Styles
	if busy := m.busy(); busy != "" {
		return []string{common.Truncate(m.spinner.View()+" "+s.Text.Render(safetext.Line(busy)), width)}
	}
	if m.text == "" {
		return []string{""}
	}
	lines := strings.Split(common.Wrap(common.StatusPrefix(m.kind)+safetext.Line(m.text), width), "\n")
	if len(lines) > MaxLines {
		lines = lines[:MaxLines]
		more := " … " + m.moreKey + " shows all"
		lines[MaxLines-1] = ansi.Truncate(lines[MaxLines-1], max(width-lipgloss.Width(more), 0), "") + more
	}
	for i, l := range lines {
		lines[i] = common.Truncate(common.StatusStyle(s, m.kind).Render(l), width)
	}
	return lines
}

// Spin starts the spinner's timer when something became busy.
func (m *Model) Spin() tea.Cmd {
	if m.spinning || m.busy() == "" {
		return nil
	}
	m.spinning = true
	m.gen++
	return m.tick()
}

// Update advances the spinner; handled is false for other messages.
func (m *Model) Update(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	sm, ok := msg.(spinMsg)
	if !ok {
		return nil, false
	}
	if sm.gen != m.gen {
		return nil, true
	}
	if m.busy() == "" {
		m.spinning = false
		return nil, true
	}
	m.spinner, _ = m.spinner.Update(spinner.TickMsg{ID: m.spinner.ID()})
	return m.tick(), true
}

func (m *Model) tick() tea.Cmd {
	gen := m.gen
	return m.c.Tick(m.spinner.Spinner.FPS, func(time.Time) tea.Msg { return spinMsg{gen: gen} })
}
