package tui

import (
	"slices"
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
	// A theme that sets its text colour brings the background it was made
	// for; nil leaves the terminal's own.
	v.BackgroundColor = m.palette.Background
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
	status := m.statusLines()
	bodyH := max(m.height-2-len(status), 1)
	body := strings.Split(common.Fit(m.body(), bodyH), "\n")
	for i, l := range body {
		// A screen's line that overruns a very narrow terminal is cut, not
		// wrapped onto the next row.
		if lipgloss.Width(l) > m.width {
			body[i] = common.Truncate(l, m.width)
		}
	}
	return strings.Join([]string{m.header(), strings.Join(body, "\n"), strings.Join(status, "\n"), m.helpLine()}, "\n")
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

// statusLines is the status bar at the terminal's width.
func (m *model) statusLines() []string { return m.bar.Lines(m.width) }

func (m *model) helpLine() string {
	s := m.c.Styles
	h := bhelp.New()
	h.Styles = bhelp.Styles{
		ShortKey: s.HelpKey, ShortDesc: s.HelpDesc, ShortSeparator: s.HelpSep,
		FullKey: s.HelpKey, FullDesc: s.HelpDesc, FullSeparator: s.HelpSep, Ellipsis: s.HelpSep,
	}
	// The global keys (? help, q quit) always show; the screen's keys come
	// first and the last of them are dropped until the bar fits.
	global := m.globalHelp()
	screen := m.screenHelp()
	fit := func(global []key.Binding) []key.Binding {
		keys := screen
		for len(keys) > 0 && lipgloss.Width(h.ShortHelpView(append(slices.Clip(keys), global...))) > m.width {
			keys = keys[:len(keys)-1]
		}
		return append(slices.Clip(keys), global...)
	}
	shown := fit(global)
	if m.typing() {
		// In a narrow pane "ctrl+c quit, even while typing" would crowd out
		// how to end the typing (enter, esc): it says less when that shows
		// more of the screen's keys.
		if short := fit([]key.Binding{m.keys.withHelp(m.keys.ForceQuit, "quit")}); len(short) > len(shown) {
			shown = short
		}
	}
	return common.Truncate(h.ShortHelpView(shown), m.width)
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
		return "theme: none (NO_COLOR)"
	}
	return "theme: " + m.themeName
}
