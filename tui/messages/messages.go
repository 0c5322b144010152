// Package messages is the screen that shows this session's status messages
// in full, newest first: the status line wraps a long message to a few
// lines at most, and a message is gone once the user moves on.
package messages

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"acctui/tui/common"
)

// Entry is one status message and when it was shown.
type Entry struct {
	At   time.Time
	Kind common.StatusKind
	Text string
}

// KeyMap is the part of the TUI's key map this screen uses.
type KeyMap struct {
	common.ScrollKeys
	Back key.Binding
}

// Model is the messages screen.
type Model struct {
	c       *common.Common
	keys    KeyMap
	entries []Entry
	vp      viewport.Model
	width   int
	height  int
}

// New returns the screen, empty until Show.
func New(c *common.Common, keys KeyMap) Model {
	return Model{c: c, keys: keys, vp: common.NewViewport(keys.ScrollKeys)}
}

// Show lists entries, newest first.
func (m *Model) Show(entries []Entry) {
	m.entries = entries
	m.refresh()
	m.vp.GotoTop()
}

// SetSize sets the screen's size in cells.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.vp.SetWidth(width)
	m.vp.SetHeight(max(height-1, 1))
	m.refresh()
}

// ApplyStyles redraws with the current theme.
func (m *Model) ApplyStyles() { m.refresh() }

// Update scrolls, and goes back on Back.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, m.keys.Back) {
		return m.c.Back()
	}
	var cmd tea.Cmd
	m.vp, cmd = common.Scroll(m.vp, m.keys.ScrollKeys, msg)
	return cmd
}

// View draws the messages.
func (m *Model) View() string {
	return common.Fit(common.Title(m.c.Styles, "Messages of this session"+common.ScrollNote(m.vp), m.width)+"\n"+m.vp.View(), m.height)
}

// ShortHelp lists the keys shown in the key bar.
func (m *Model) ShortHelp() []key.Binding { return []key.Binding{m.keys.Back, m.keys.Up, m.keys.Down} }

// FullHelp lists every key of the screen.
func (m *Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{append(m.keys.Bindings(), m.keys.Back)}
}

func (m *Model) refresh() {
	if m.width <= 0 {
		return
	}
	s := m.c.Styles
	if len(m.entries) == 0 {
		m.vp.SetContent("\n" + s.Muted.Render("No messages yet."))
		return
	}
	var b strings.Builder
	for i := len(m.entries) - 1; i >= 0; i-- {
		e := m.entries[i]
		b.WriteString("\n" + s.Muted.Render(e.At.Format("15:04:05 MST")) + "\n")
		text := common.Wrap(common.StatusPrefix(e.Kind)+e.Text, max(m.width-2, 10))
		b.WriteString(common.StatusStyle(s, e.Kind).Render(common.Indent(text, 2)) + "\n")
	}
	m.vp.SetContent(strings.TrimRight(b.String(), "\n"))
}
