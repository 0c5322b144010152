// Package detail is the account screen: the account's fields, its ID-token
// claims (decoded only, not signature-validated) and every cached token with
// its scopes and a live expiry countdown. The countdown ticks only while the
// screen is shown: Show starts it and Leave stops it.
package detail

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"acctui/overview"
	"acctui/tui/common"
)

// KeyMap is the part of the TUI's key map this screen uses.
type KeyMap struct {
	common.ScrollKeys
	Back                                           key.Binding
	Refresh, ForceRefresh, Copy, Remove, ViewToken key.Binding
	// Use makes the account the active one (acctui use).
	Use key.Binding
}

// TickInterval is how often the countdown is redrawn.
const TickInterval = time.Second

// tickMsg redraws the countdown; gen tells a live tick from one of an
// earlier visit.
type tickMsg struct{ gen int }

// claimsMsg carries the account's ID-token claims.
type claimsMsg struct {
	homeAccountID string
	claims        map[string]any
	err           error
}

// Model is the account detail screen.
type Model struct {
	c       *common.Common
	keys    KeyMap
	acct    overview.Account
	active  bool
	claims  map[string]any
	loading bool
	err     error
	vp      viewport.Model
	// drawnAt is the time the content was drawn for; the header's badge
	// uses it too, so the two countdowns never differ by a second.
	drawnAt time.Time
	gen     int
	ticking bool
	width   int
	height  int
}

// New returns an empty detail screen.
func New(c *common.Common, keys KeyMap) Model {
	vp := common.NewViewport(keys.ScrollKeys)
	vp.SoftWrap = false
	return Model{c: c, keys: keys, vp: vp}
}

// Show displays an account: it loads the claims and starts the countdown.
func (m *Model) Show(acct overview.Account) tea.Cmd {
	m.acct = acct
	m.claims = nil
	m.err = nil
	m.loading = true
	m.gen++
	m.ticking = true
	m.vp.GotoTop()
	m.refresh()
	return tea.Batch(m.ReloadClaims(), m.tick())
}

// ReloadClaims reads the account's ID-token claims again, after a refresh
// brought a new ID token; the old ones stay on screen until they arrive.
func (m *Model) ReloadClaims() tea.Cmd {
	b := m.c.Backend
	id := m.acct.HomeAccountID
	return common.Call(common.CallTimeout,
		func(ctx context.Context) (map[string]any, error) { return b.IDTokenClaims(ctx, id) },
		func(claims map[string]any, err error) tea.Msg {
			return claimsMsg{homeAccountID: id, claims: claims, err: err}
		})
}

// Leave stops the countdown; a tick already scheduled is then ignored.
func (m *Model) Leave() {
	m.gen++
	m.ticking = false
}

// Resume restarts the countdown when the screen is on top again.
func (m *Model) Resume() tea.Cmd {
	m.gen++
	m.ticking = true
	m.refresh()
	return m.tick()
}

// Ticking reports whether the countdown runs.
func (m Model) Ticking() bool { return m.ticking }

// SetAccount replaces the shown account's data after the list was reloaded,
// keeping the claims and the scroll position.
func (m *Model) SetAccount(acct overview.Account) {
	m.acct = acct
	m.refresh()
}

// SetActive says whether the account shown is the active one.
func (m *Model) SetActive(active bool) {
	if m.active != active {
		m.active = active
		m.refresh()
	}
}

// Account is the account shown.
func (m Model) Account() overview.Account { return m.acct }

func (m Model) tick() tea.Cmd {
	gen := m.gen
	return m.c.Tick(TickInterval, func(time.Time) tea.Msg { return tickMsg{gen: gen} })
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

// Update handles a message for the screen (common.Screen).
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	*m, cmd = m.update(msg)
	return cmd
}

// update handles keys, the mouse wheel, the claims and the countdown.
func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tickMsg:
		if msg.gen != m.gen || !m.ticking {
			return m, nil
		}
		m.refresh()
		return m, m.tick()
	case claimsMsg:
		if msg.homeAccountID != m.acct.HomeAccountID {
			return m, nil
		}
		m.loading = false
		m.claims, m.err = msg.claims, msg.err
		m.refresh()
		return m, nil
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, m.keys.Back):
			return m, m.c.Back()
		case key.Matches(msg, m.keys.Refresh):
			return m, m.c.Send(common.RefreshMsg{Account: m.acct})
		case key.Matches(msg, m.keys.ForceRefresh):
			return m, m.c.Send(common.RefreshMsg{Account: m.acct, Force: true})
		case key.Matches(msg, m.keys.Copy):
			return m, m.c.Send(common.CopyAccessTokenMsg{Account: m.acct})
		case key.Matches(msg, m.keys.Remove):
			return m, m.c.Send(common.RemoveAccountMsg{Account: m.acct})
		case key.Matches(msg, m.keys.ViewToken):
			return m, m.c.Send(common.ViewTokenMsg{Account: m.acct})
		case key.Matches(msg, m.keys.Use):
			return m, m.c.Send(common.UseAccountMsg{Account: m.acct})
		}
	}
	var cmd tea.Cmd
	m.vp, cmd = common.Scroll(m.vp, m.keys.ScrollKeys, msg)
	return m, cmd
}

// Busy says what the screen is waiting for, or "".
func (m Model) Busy() string {
	if m.loading {
		return "reading the ID token…"
	}
	return ""
}

// View draws the screen.
func (m Model) View() string {
	s := m.c.Styles
	now := m.drawnAt
	if now.IsZero() {
		now = m.c.Now()
	}
	title := m.acct.Name
	if title == "" {
		title = m.acct.Username
	}
	badge := common.Badge(s, common.LiveStatus(m.acct, now), m.acct.ExpiresOn, now)
	if m.active {
		badge = s.Accent.Render(common.ActiveTag) + "  " + badge
	}
	head := common.Title(s, title, max(m.width-lipgloss.Width(badge)-2, 4)) + "  " + badge
	if note := common.ScrollNote(m.vp); note != "" {
		head = common.Truncate(head+s.Muted.Render(note), m.width)
	}
	return common.Fit(head+"\n"+m.vp.View(), m.height)
}

// refresh rebuilds the scrolled content.
func (m *Model) refresh() {
	if m.width <= 0 {
		return
	}
	m.drawnAt = m.c.Now()
	m.vp.SetContent(m.content(m.drawnAt))
}

func (m Model) content(now time.Time) string {
	s := m.c.Styles
	w := max(m.width, 20)
	const lw = 15
	a := m.acct
	var b strings.Builder

	field := func(label, value string) {
		b.WriteString(common.Field(s, "  "+label, value, lw, w) + "\n")
	}
	claimsTitle, noClaims := "ID-token claims", "  no ID token in the cache"
	if a.Principal != "" {
		b.WriteString("\n" + s.Section.Render("App or identity") + "\n")
		field("Name", a.Username)
		field("Kind", a.Principal)
		if a.TenantID != "" {
			field("Tenant", a.TenantID)
		}
		b.WriteString(common.StyledField(s, "  Status", common.Badge(s, common.LiveStatus(a, now), a.ExpiresOn, now), lw, w) + "\n")
		claimsTitle, noClaims = "App-token claims", "  no app token in the cache"
	} else {
		b.WriteString("\n" + s.Section.Render("Account") + "\n")
		field("Username", a.Username)
		if a.Name != "" {
			field("Name", a.Name)
		}
		field("Home account", a.HomeAccountID)
		if a.Issuer != "" {
			field("Issuer", a.Issuer) // a generic provider: no tenant
		} else {
			field("Tenant", a.TenantID)
		}
		if a.AuthorityLabel != "" {
			field("Authority", a.AuthorityLabel)
		}
		field("Cloud", a.Environment)
		if realms := strings.Trim(strings.Join(a.Realms, ", "), ", "); realms != "" {
			field("Realms", realms) // a generic provider's accounts have none
		}
		b.WriteString(common.StyledField(s, "  Status", common.Badge(s, common.LiveStatus(a, now), a.ExpiresOn, now), lw, w) + "\n")
		if m.active {
			field("Active", "yes: used when several accounts could answer (acctui use)")
		} else {
			field("Active", "no ("+m.keys.Use.Help().Key+" makes it active)")
		}
	}

	b.WriteString("\n" + s.Section.Render(claimsTitle) + s.WarnText.Render(" — decoded only, not signature-validated") + "\n")
	switch {
	case m.loading:
		b.WriteString(s.Muted.Render("  reading…") + "\n")
	case m.err != nil:
		msg, _ := common.Explain(m.err, "")
		b.WriteString(s.ErrorText.Render(common.Indent(common.Wrap(msg, w-2), 2)) + "\n")
	case len(m.claims) == 0:
		b.WriteString(s.Muted.Render(noClaims) + "\n")
	default:
		b.WriteString(common.Claims(s, m.claims, now, lw, w) + "\n")
	}

	b.WriteString("\n" + s.Section.Render("Cached tokens") + "\n")
	if len(a.Tokens) == 0 {
		b.WriteString(s.Muted.Render("  none") + "\n")
	}
	for _, t := range a.Tokens {
		st := common.LiveTokenStatus(t, now)
		b.WriteString("  " + s.Bold.Render(kindName(t.Kind)) + "  " + common.Badge(s, st, t.ExpiresOn, now) + "\n")
		if !t.ExpiresOn.IsZero() {
			field("  expires", common.When(t.ExpiresOn, now))
		}
		if len(t.Scopes) > 0 {
			field("  scopes", strings.Join(t.Scopes, " "))
		}
		client := t.ClientID
		if t.FamilyID != "" {
			client += " (family " + t.FamilyID + ")"
		}
		field("  client", client)
		if t.Realm != "" {
			field("  realm", t.Realm)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func kindName(k overview.Kind) string {
	switch k {
	case overview.KindAccess:
		return "Access token"
	case overview.KindRefresh:
		return "Refresh token"
	case overview.KindID:
		return "ID token"
	}
	return string(k)
}

// ShortHelp lists the keys shown in the status bar.
func (m Model) ShortHelp() []key.Binding {
	return []key.Binding{m.keys.Back, m.keys.Refresh, m.keys.Copy, m.keys.ViewToken, m.keys.Remove, m.keys.Use}
}

// FullHelp lists every key of the screen.
func (m Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		m.keys.Bindings(),
		{m.keys.Refresh, m.keys.ForceRefresh, m.keys.Copy, m.keys.ViewToken, m.keys.Use, m.keys.Remove, m.keys.Back},
	}
}

// Cover stops the countdown while another screen is on top.
func (m *Model) Cover() { m.Leave() }
