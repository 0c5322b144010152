// Package help is the help screen: every key of the TUI, by section,
// generated from the key map so it never disagrees with what the keys do.
package help

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"acctui/tui/common"
)

// Section is a titled group of bindings.
type Section struct {
	Title    string
	Bindings []key.Binding
}

// KeyMap is the part of the TUI's key map this screen uses.
type KeyMap struct {
	common.ScrollKeys
	Back key.Binding
}

// Model is the help screen.
type Model struct {
	c        *common.Common
	keys     KeyMap
	sections []Section
	vp       viewport.Model
	width    int
	height   int
}

// New returns the help screen for sections.
func New(c *common.Common, keys KeyMap, sections []Section) Model {
	vp := common.NewViewport(keys.ScrollKeys)
	return Model{c: c, keys: keys, sections: sections, vp: vp}
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

// Top scrolls back to the first line.
func (m *Model) Top() { m.vp.GotoTop() }

// Show lists sections (the keys of the screen help was opened from) from
// the first line.
func (m *Model) Show(sections []Section) {
	m.sections = sections
	m.refresh()
	m.vp.GotoTop()
}

// Update handles a message for the screen (common.Screen).
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	*m, cmd = m.update(msg)
	return cmd
}

// update scrolls, and goes back on Back.
func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	if msg, ok := msg.(tea.KeyPressMsg); ok && key.Matches(msg, m.keys.Back) {
		return m, m.c.Back()
	}
	var cmd tea.Cmd
	m.vp, cmd = common.Scroll(m.vp, m.keys.ScrollKeys, msg)
	return m, cmd
}

// View draws the key list.
func (m Model) View() string {
	return common.Fit(common.Title(m.c.Styles, "Keys"+common.ScrollNote(m.vp), m.width)+"\n"+m.vp.View(), m.height)
}

func (m *Model) refresh() {
	if m.width > 0 {
		m.vp.SetContent(m.content())
	}
}

func (m Model) content() string {
	s := m.c.Styles
	keyWidth := 0
	for _, sec := range m.sections {
		for _, b := range sec.Bindings {
			keyWidth = max(keyWidth, len([]rune(b.Help().Key)))
		}
	}
	keyWidth += 2
	var b strings.Builder
	for _, sec := range m.sections {
		b.WriteString("\n" + s.Section.Render(sec.Title) + "\n")
		for _, kb := range sec.Bindings {
			if !kb.Enabled() && kb.Help().Key == "" {
				continue
			}
			h := kb.Help()
			desc := common.Truncate(h.Desc, max(m.width-keyWidth-2, 4))
			b.WriteString("  " + s.HelpKey.Render(common.PadRight(h.Key, keyWidth)) + s.HelpDesc.Render(desc) + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// ShortHelp lists the keys shown in the status bar.
func (m Model) ShortHelp() []key.Binding { return []key.Binding{m.keys.Back, m.keys.Up, m.keys.Down} }

// FullHelp lists every key of the screen.
func (m Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{append(m.keys.Bindings(), m.keys.Back)}
}
