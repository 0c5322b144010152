package tui

import (
	"strings"

	bhelp "charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"acctui/tui/common"
)

// View draws the header, the screen on top, the status line and the keys.
func (m *model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "acctui"
	return v
}

// render is the frame as a string.
func (m *model) render() string {
	if m.quitting {
		return ""
	}
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	bodyH := max(m.height-3, 1)
	return strings.Join([]string{m.header(), common.Fit(m.body(), bodyH), m.statusLine(), m.helpLine()}, "\n")
}

func (m *model) header() string {
	s := m.c.Styles
	left := s.HeaderApp.Render("acctui") + s.HeaderInfo.Render(" · "+m.pages[m.active].title)
	right := s.HeaderInfo.Render(m.themeLabel())
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return common.Truncate(left, m.width)
	}
	return s.Header.Render(left + strings.Repeat(" ", gap) + right)
}

func (m *model) body() string { return m.screen(m.active).View() }

func (m *model) statusLine() string {
	s := m.c.Styles
	if busy := m.busyText(); busy != "" {
		return common.Truncate(m.spinner.View()+" "+s.Text.Render(busy), m.width)
	}
	if m.status == "" {
		return ""
	}
	return common.Truncate(common.StatusLine(s, m.statusKind, m.status), m.width)
}

func (m *model) helpLine() string {
	s := m.c.Styles
	h := bhelp.New()
	h.Styles = bhelp.Styles{
		ShortKey: s.HelpKey, ShortDesc: s.HelpDesc, ShortSeparator: s.HelpSep,
		FullKey: s.HelpKey, FullDesc: s.HelpDesc, FullSeparator: s.HelpSep, Ellipsis: s.HelpSep,
	}
	h.SetWidth(m.width)
	// ShortHelpView can overrun its width when the ellipsis does not fit.
	return common.Truncate(h.ShortHelpView(append(m.screenHelp(), m.globalHelp()...)), m.width)
}

func (m *model) screenHelp() []key.Binding { return m.screen(m.active).ShortHelp() }

func (m *model) globalHelp() []key.Binding {
	if m.typing() {
		return []key.Binding{m.keys.ForceQuit}
	}
	return []key.Binding{m.keys.Help, m.keys.Quit}
}

// themeLabel names the theme in the header.
func (m *model) themeLabel() string {
	if m.opts.NoColor {
		return "no colour"
	}
	return m.themeName
}
