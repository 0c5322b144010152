// Package confirm is the screen that asks before an account is removed.
package confirm

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"acctui/internal/safetext"
	"acctui/overview"
	"acctui/tui/common"
)

// KeyMap is the part of the TUI's key map this screen uses.
type KeyMap struct {
	Yes, No key.Binding
}

// ConfirmedMsg says the user agreed to remove the account.
type ConfirmedMsg struct{ Account overview.Account }

// Model is the remove confirmation.
type Model struct {
	c      *common.Common
	keys   KeyMap
	acct   overview.Account
	width  int
	height int
}

// New returns the confirmation screen.
func New(c *common.Common, keys KeyMap) Model {
	return Model{c: c, keys: keys}
}

// Ask sets the account the question is about.
func (m *Model) Ask(acct overview.Account) { m.acct = acct }

// Account is the account the question is about.
func (m Model) Account() overview.Account { return m.acct }

// SetSize sets the screen's size in cells.
func (m *Model) SetSize(width, height int) { m.width, m.height = width, height }

// Update handles a message for the screen (common.Screen).
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	*m, cmd = m.update(msg)
	return cmd
}

// update answers Yes with ConfirmedMsg and No with BackMsg.
func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	if click, ok := msg.(tea.MouseClickMsg); ok && click.Button == tea.MouseLeft {
		switch m.buttonAt(click.X, click.Y) {
		case m.yesLabel():
			return m, m.c.Send(ConfirmedMsg{Account: m.acct})
		case m.noLabel():
			return m, m.c.Back()
		}
	}
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(msg, m.keys.Yes):
			return m, m.c.Send(ConfirmedMsg{Account: m.acct})
		case key.Matches(msg, m.keys.No):
			return m, m.c.Back()
		}
	}
	return m, nil
}

// View draws the question.
func (m Model) View() string {
	s := m.c.Styles
	w := max(m.width-4, 20)
	name := m.acct.Name
	if name == "" {
		name = m.acct.Username
	}
	var b strings.Builder
	if m.acct.Principal != "" {
		b.WriteString(s.Danger.Render("Remove this app or identity?") + "\n\n")
		b.WriteString(s.Bold.Render(common.Truncate(safetext.Line(m.acct.Username), w)) + "\n")
		b.WriteString(s.Text.Render(common.Truncate(safetext.Line(m.acct.Principal), w)) + "\n")
		if m.acct.TenantID != "" {
			b.WriteString(s.Muted.Render(common.Truncate("tenant "+safetext.Line(m.acct.TenantID), w)) + "\n")
		}
		b.WriteString("\n" + s.Text.Render(common.Wrap("Its stored credential and its tokens are deleted from the vault. Adding it again needs the credential.", w)) + "\n\n")
	} else {
		b.WriteString(s.Danger.Render("Remove this account?") + "\n\n")
		b.WriteString(s.Bold.Render(common.Truncate(safetext.Line(name), w)) + "\n")
		b.WriteString(s.Text.Render(common.Truncate(safetext.Line(m.acct.Username), w)) + "\n")
		b.WriteString(s.Muted.Render(common.Truncate(place(m.acct), w)) + "\n\n")
		b.WriteString(s.Text.Render(common.Wrap("Its tokens are deleted from the cache for this app; other apps keep theirs. You can sign in again later.", w)) + "\n\n")
	}
	b.WriteString(s.HelpKey.Render("[ "+m.keys.Yes.Help().Key) + " " + s.Danger.Render(m.keys.Yes.Help().Desc+" ]") +
		"    " + s.HelpKey.Render("[ "+m.keys.No.Help().Key) + " " + s.HelpDesc.Render(m.keys.No.Help().Desc+" ]"))
	box := s.Frame.Width(min(m.width, w+4)).Render(b.String())
	return common.Fit("\n"+box, m.height)
}

// ShortHelp lists the keys shown in the status bar.
func (m Model) ShortHelp() []key.Binding { return []key.Binding{m.keys.Yes, m.keys.No} }

// FullHelp lists every key of the screen.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{{m.keys.Yes, m.keys.No}} }

// yesLabel and noLabel are the buttons' text as drawn.
func (m Model) yesLabel() string {
	return "[ " + m.keys.Yes.Help().Key + " " + m.keys.Yes.Help().Desc + " ]"
}

func (m Model) noLabel() string {
	return "[ " + m.keys.No.Help().Key + " " + m.keys.No.Help().Desc + " ]"
}

// buttonAt is the label of the button drawn at cell x of body row y, or "".
func (m Model) buttonAt(x, y int) string {
	lines := strings.Split(ansi.Strip(m.View()), "\n")
	if y < 0 || y >= len(lines) {
		return ""
	}
	for _, label := range []string{m.yesLabel(), m.noLabel()} {
		if i := strings.Index(lines[y], label); i >= 0 {
			start := ansi.StringWidth(lines[y][:i])
			if x >= start && x < start+ansi.StringWidth(label) {
				return label
			}
		}
	}
	return ""
}

// place says where the account lives: what the backend worked out, else
// its tenant.
func place(a overview.Account) string {
	if a.Place != "" {
		return safetext.Line(a.Place)
	}
	return "tenant " + safetext.Line(a.TenantID)
}
