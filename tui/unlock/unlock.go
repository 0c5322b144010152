// Package unlock is the screen that asks for the vault's passphrase, shown
// only when the vault's backend needs one.
package unlock

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"acctui/tui/common"
)

// Timeout bounds one unlock attempt (key derivation, keyring access).
const Timeout = 30 * time.Second

// KeyMap is the part of the TUI's key map this screen uses.
type KeyMap struct {
	Submit key.Binding
}

// UnlockFunc opens the vault with a passphrase.
type UnlockFunc func(ctx context.Context, passphrase string) error

// UnlockedMsg says the vault is open.
type UnlockedMsg struct{}

// failedMsg says the attempt failed.
type failedMsg struct{ err error }

// Model is the unlock screen.
type Model struct {
	c      *common.Common
	keys   KeyMap
	unlock UnlockFunc
	input  textinput.Model
	busy   bool
	err    error
	tries  int
	width  int
	height int
}

// New returns the screen; unlock is called with what the user typed.
func New(c *common.Common, keys KeyMap, unlock UnlockFunc) Model {
	in := textinput.New()
	in.Prompt = "Passphrase: "
	in.EchoMode = textinput.EchoPassword
	in.EchoCharacter = '•'
	in.SetStyles(common.InputStyles(c))
	in.Focus()
	return Model{c: c, keys: keys, unlock: unlock, input: in}
}

// ApplyStyles takes the current theme's styles.
func (m *Model) ApplyStyles() { m.input.SetStyles(common.InputStyles(m.c)) }

// SetSize sets the screen's size in cells.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.input.SetWidth(max(width-len(m.input.Prompt)-2, 8))
}

// Update handles a message for the screen (common.Screen).
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	*m, cmd = m.update(msg)
	return cmd
}

// update edits the passphrase and submits it.
func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case failedMsg:
		m.busy = false
		m.err = msg.err
		m.tries++
		cmd := m.input.Focus()
		return m, cmd
	case tea.KeyPressMsg:
		if m.busy {
			return m, nil
		}
		if key.Matches(msg, m.keys.Submit) {
			pass := m.input.Value()
			if pass == "" {
				return m, nil
			}
			m.input.Reset()
			m.input.Blur()
			m.busy = true
			m.err = nil
			unlock := m.unlock
			return m, func() tea.Msg {
				ctx, cancel := context.WithTimeout(context.Background(), Timeout)
				defer cancel()
				if err := unlock(ctx, pass); err != nil {
					return failedMsg{err: err}
				}
				return UnlockedMsg{}
			}
		}
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	return m, cmd
}

// Typing is always true: every key goes to the passphrase.
func (m Model) Typing() bool { return true }

// Busy says what the screen is waiting for, or "".
func (m Model) Busy() string {
	if m.busy {
		return "unlocking the vault…"
	}
	return ""
}

// View draws the prompt.
func (m Model) View() string {
	s := m.c.Styles
	w := max(m.width, 20)
	out := common.Title(s, "The vault is locked", w) + "\n\n" +
		s.Text.Render(common.Wrap("Enter the passphrase that protects acctui's token vault.", w)) + "\n\n" +
		m.input.View() + "\n"
	if m.err != nil {
		msg, next := common.Explain(m.err, common.MethodUnlock)
		out += "\n" + s.ErrorText.Render(common.Wrap("✗ "+msg, w))
		if next != "" {
			out += "\n" + s.Text.Render(common.Wrap("→ "+next, w))
		}
	}
	return common.Fit(out, m.height)
}

// ShortHelp lists the keys shown in the status bar.
func (m Model) ShortHelp() []key.Binding { return []key.Binding{m.keys.Submit} }

// FullHelp lists every key of the screen.
func (m Model) FullHelp() [][]key.Binding { return [][]key.Binding{{m.keys.Submit}} }
