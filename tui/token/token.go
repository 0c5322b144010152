// Package token is the token screen: an account's access token or ID token,
// masked until the user reveals it, with its decoded claims and a copy key.
package token

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"

	"acctui/engine"
	"acctui/overview"
	"acctui/tui/common"
)

// KeyMap is the part of the TUI's key map this screen uses.
type KeyMap struct {
	common.ScrollKeys
	Back key.Binding
	// Reveal shows or hides the value; Switch goes between the access
	// token and the ID token; Copy copies the one shown.
	Reveal, Switch, Copy key.Binding
}

// Kind is which token the screen shows.
type Kind int

// The tokens the screen can show.
const (
	Access Kind = iota
	ID
)

// String names the token for people.
func (k Kind) String() string {
	if k == ID {
		return "ID token"
	}
	return "access token"
}

// loadedMsg carries the result of the silent acquisition.
type loadedMsg struct {
	seq    int
	result engine.Result
	err    error
}

// Model is the token screen.
type Model struct {
	c        *common.Common
	keys     KeyMap
	acct     overview.Account
	result   engine.Result
	claims   [2]map[string]any
	decodeEr [2]error
	loading  bool
	loaded   bool
	err      error
	kind     Kind
	revealed bool
	seq      int
	vp       viewport.Model
	width    int
	height   int
}

// New returns an empty token screen.
func New(c *common.Common, keys KeyMap) Model {
	vp := common.NewViewport(keys.ScrollKeys)
	return Model{c: c, keys: keys, vp: vp}
}

// Show starts loading the account's tokens, masked.
func (m *Model) Show(acct overview.Account) tea.Cmd {
	m.Leave()
	m.acct = acct
	m.loading = true
	m.seq++
	seq := m.seq
	b := m.c.Backend
	id := acct.HomeAccountID
	m.refresh()
	return common.Call(common.CallTimeout,
		func(ctx context.Context) (engine.Result, error) { return b.AccessToken(ctx, id) },
		func(r engine.Result, err error) tea.Msg { return loadedMsg{seq: seq, result: r, err: err} })
}

// Leave forgets the tokens and hides them again.
func (m *Model) Leave() {
	m.seq++
	m.result = engine.Result{}
	m.claims = [2]map[string]any{}
	m.decodeEr = [2]error{}
	m.loaded, m.loading, m.revealed, m.err = false, false, false, nil
	m.kind = Access
	m.vp.GotoTop()
}

// Hide masks the value again, when another screen covers this one.
func (m *Model) Hide() {
	m.revealed = false
	m.refresh()
}

// Revealed reports whether a token value is on screen.
func (m Model) Revealed() bool { return m.revealed }

// SetSize sets the screen's size in cells.
func (m *Model) SetSize(width, height int) {
	m.width, m.height = width, height
	m.vp.SetWidth(width)
	m.vp.SetHeight(max(height-2, 1))
	m.refresh()
}

// ApplyStyles redraws with the current theme.
func (m *Model) ApplyStyles() { m.refresh() }

// Update handles a message for the screen (common.Screen).
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	*m, cmd = m.update(msg)
	return cmd
}

// update handles keys, the mouse wheel and the loaded tokens.
func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		if msg.seq != m.seq {
			return m, nil
		}
		m.loading = false
		m.err = msg.err
		if common.NeedsSignIn(msg.err) {
			// As r does: straight on to a sign-in for this account.
			return m, m.c.Send(common.SignInAgainMsg{Account: m.acct, Err: msg.err})
		}
		var cmd tea.Cmd
		if msg.err == nil {
			m.loaded = true
			m.result = msg.result
			m.claims[Access], m.decodeEr[Access] = decode(msg.result.AccessToken)
			m.claims[ID], m.decodeEr[ID] = decode(msg.result.IDToken)
			if msg.result.Source == engine.SourceIdentityProvider {
				cmd = m.c.Send(common.ReloadAccountsMsg{})
			}
		}
		m.refresh()
		return m, cmd
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Back):
			return m, m.c.Back()
		case key.Matches(msg, m.keys.Reveal):
			if m.loaded {
				m.revealed = !m.revealed
				m.refresh()
			}
			return m, nil
		case key.Matches(msg, m.keys.Switch):
			m.kind = 1 - m.kind
			m.revealed = false
			m.vp.GotoTop()
			m.refresh()
			return m, nil
		case key.Matches(msg, m.keys.Copy):
			if secret := m.secret(); m.loaded && secret.Reveal() != "" {
				return m, m.c.Send(common.CopySecretMsg{Label: m.kind.String(), Secret: secret})
			}
			return m, nil
		}
	}
	var cmd tea.Cmd
	m.vp, cmd = common.Scroll(m.vp, m.keys.ScrollKeys, msg)
	return m, cmd
}

func (m Model) secret() engine.Secret {
	if m.kind == ID {
		return m.result.IDToken
	}
	return m.result.AccessToken
}

func decode(secret engine.Secret) (map[string]any, error) {
	if secret.Reveal() == "" {
		return nil, nil
	}
	jwt, err := engine.DecodeClaimsUnverified(secret.Reveal())
	if err != nil {
		return nil, err
	}
	return jwt.Claims, nil
}

// Busy says what the screen is waiting for, or "".
func (m Model) Busy() string {
	if m.loading {
		return "getting a token…"
	}
	return ""
}

// View draws the screen.
func (m Model) View() string {
	s := m.c.Styles
	title := common.Title(s, "Tokens of "+m.acct.Username, m.width)
	tabs := []string{"access token", "ID token"}
	for i := range tabs {
		if Kind(i) == m.kind {
			tabs[i] = s.Section.Render("[" + tabs[i] + "]")
		} else {
			tabs[i] = s.Muted.Render(" " + tabs[i] + " ")
		}
	}
	tabLine := strings.Join(tabs, " ") + s.Muted.Render("  "+m.keys.Switch.Help().Key+" switch"+common.ScrollNote(m.vp))
	return common.Fit(title+"\n"+tabLine+"\n"+m.vp.View(), m.height)
}

func (m *Model) refresh() {
	if m.width > 0 {
		m.vp.SetContent(m.content())
	}
}

func (m Model) content() string {
	s := m.c.Styles
	now := m.c.Now()
	w := max(m.width, 20)
	const lw = 12
	switch {
	case m.loading:
		return "\n" + s.Muted.Render("Getting a token…")
	case m.err != nil:
		msg, next := common.Explain(m.err, common.MethodRefresh)
		out := "\n" + s.ErrorText.Render(common.Wrap("No token: "+msg, w))
		if common.NeedsSignIn(m.err) {
			next = "sign in again: go back and press " + m.keys.Back.Help().Key + ", then r"
		}
		if next != "" {
			out += "\n" + s.Text.Render(common.Wrap("→ "+next, w))
		}
		return out
	case !m.loaded:
		return ""
	}
	var b strings.Builder
	field := func(label, value string) { b.WriteString(common.Field(s, "  "+label, value, lw, w) + "\n") }
	secret := m.secret().Reveal()
	claims := m.claims[m.kind]
	b.WriteString("\n")
	if m.kind == Access {
		field("Scopes", strings.Join(m.result.Scopes, " "))
		field("Expires", common.When(m.result.ExpiresOn, now))
		field("Source", string(m.result.Source))
	} else if exp, ok := claims["exp"].(float64); ok {
		field("Expires", overview.DescribeNumericDate(exp, now))
	} else if exp, ok := claims["exp"]; ok {
		field("Expires", overview.ClaimValue(exp))
	}
	switch {
	case secret == "":
		field("Value", "none in the cache")
	case m.revealed:
		b.WriteString(s.Section.Render("Value") + s.WarnText.Render(" — on screen; "+m.keys.Reveal.Help().Key+" hides it") + "\n")
		b.WriteString(s.Text.Render(common.HardWrap(secret, w)) + "\n")
	default:
		b.WriteString(common.StyledField(s, "  Value", s.Masked.Render(strings.Repeat("•", min(24, w-lw-2)))+s.Muted.Render(fmt.Sprintf(" hidden, %d characters", len(secret))), lw, w) + "\n")
		b.WriteString(s.Muted.Render(common.Indent(common.Wrap(
			fmt.Sprintf("%s reveals it, %s copies it", m.keys.Reveal.Help().Key, m.keys.Copy.Help().Key), w-lw), lw)) + "\n")
	}
	b.WriteString("\n" + s.Section.Render("Claims") + s.WarnText.Render(" — decoded only, not signature-validated") + "\n")
	switch {
	case m.decodeEr[m.kind] != nil:
		b.WriteString(s.Muted.Render("  not a JWT: this token is opaque to clients") + "\n")
	case len(claims) == 0:
		b.WriteString(s.Muted.Render("  none") + "\n")
	default:
		b.WriteString(common.Claims(s, claims, now, lw, w) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// ShortHelp lists the keys shown in the status bar.
func (m Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Back, m.keys.Reveal, m.keys.Switch, m.keys.Copy}
}

// FullHelp lists every key of the screen.
func (m Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		m.keys.Bindings(),
		{m.keys.Reveal, m.keys.Switch, m.keys.Copy, m.keys.Back},
	}
}

// Cover masks the token again while another screen is on top.
func (m *Model) Cover() { m.Hide() }

// HoldsKeys is true while the token loads: `s` and `c` typed meanwhile act
// on it once it is there.
func (m Model) HoldsKeys() bool { return m.loading }
