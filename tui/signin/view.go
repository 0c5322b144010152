package signin

import (
	"strings"

	"charm.land/lipgloss/v2"

	"acctui/internal/safetext"
	"acctui/overview"
	"acctui/termqr"
	"acctui/tui/common"
)

// View draws the current stage.
func (m Model) View() string {
	s := m.c.Styles
	w := max(m.width, 20)
	title := "Add an account"
	if m.opts.LoginHint != "" {
		title = "Sign in again as " + m.opts.LoginHint
	}
	switch m.stage {
	case stageBrowser:
		title = "Sign in with the browser"
	case stageDevice:
		title = "Sign in with a device code"
	case stageForm, stagePassword:
		title = "Sign in with username and password"
	case stageAppForm, stageAppSigning:
		title = "Add an app (service principal)"
		if m.app.identity {
			title = "Add a managed identity"
		}
	}
	head := common.Title(s, title, w)
	switch m.stage {
	case stageBrowser, stageDevice:
		if m.stage == stageDevice && m.sideBySide() {
			return common.Fit(head+"\n\n"+m.deviceSideBySide(), m.height)
		}
		if note := common.ScrollNote(m.vp); note != "" {
			head = common.Truncate(head+s.Muted.Render(note), w)
		}
		return common.Fit(head+"\n"+m.vp.View(), m.height)
	}
	var b strings.Builder
	b.WriteString(head + "\n")
	if m.opts.Reason != "" && m.stage == stageChoose {
		b.WriteString(s.WarnText.Render(common.Wrap(m.opts.Reason, w)) + "\n")
	}
	if m.err != nil {
		b.WriteString("\n" + m.errorView(w) + "\n")
	}
	switch m.stage {
	case stageChoose:
		b.WriteString("\n" + s.Text.Render("Choose how to sign in:") + "\n")
		for i, meth := range m.methods() {
			if i == m.choice {
				b.WriteString(s.RowSelected.Render(common.PadRight(common.Truncate("▸ "+meth.name, w), w)) + "\n")
			} else {
				b.WriteString(s.Row.Render(common.Truncate("  "+meth.name, w)) + "\n")
			}
			b.WriteString(s.Muted.Render(common.Truncate("    "+meth.about, w)) + "\n")
		}
		if len(m.c.Scopes) > 0 {
			b.WriteString("\n" + s.Muted.Render(common.Wrap("Scopes: "+strings.Join(m.c.Scopes, " "), w)) + "\n")
		}
	case stageForm:
		b.WriteString(s.WarnText.Render(common.Wrap("! Microsoft deprecates username/password sign-in (ROPC): it cannot do multi-factor authentication. Prefer the browser or a device code.", w)) + "\n\n")
		b.WriteString(m.username.View() + "\n" + m.password.View() + "\n")
	case stageAppForm:
		b.WriteString("\n" + m.appView(w))
	case stageAppSigning:
		b.WriteString("\n" + s.Muted.Render("Getting a token with the credential…") + "\n")
	case stageStarting:
		b.WriteString("\n" + s.Muted.Render("Starting the sign-in…") + "\n")
	case stagePassword:
		b.WriteString("\n" + s.Muted.Render(common.Truncate("Signing in as "+safetext.Line(m.username.Value())+"…", w)) + "\n")
	}
	return common.Fit(b.String(), m.height)
}

func (m Model) errorView(w int) string {
	s := m.c.Styles
	msg, next := common.Explain(m.err, m.errFrom)
	out := s.ErrorText.Render(common.Wrap("✗ "+msg, w))
	if next != "" {
		out += "\n" + s.Bold.Render(common.Wrap("→ "+next, w))
	}
	return out
}

// refresh rebuilds the scrolled content of the browser and device stages.
func (m *Model) refresh() {
	if m.width <= 0 {
		return
	}
	switch m.stage {
	case stageBrowser:
		m.vp.SetContent(m.browserContent())
	case stageDevice:
		m.vp.SetContent(m.deviceInfo() + "\n\n" + m.qr(m.dc.VerificationURI))
	}
}

func (m Model) browserContent() string {
	s := m.c.Styles
	w := max(m.width, 20)
	var b strings.Builder
	if m.openErr == nil {
		b.WriteString(s.Text.Render(common.Wrap("acctui asked the system to open a browser. If none appeared, open this URL in a browser on this computer:", w)) + "\n")
	} else {
		b.WriteString(s.WarnText.Render(common.Wrap("Could not open a browser ("+m.openErr.Error()+"). Open this URL in a browser on this computer:", w)) + "\n")
	}
	b.WriteString("\n" + m.link(m.url, w) + "\n\n")
	if !m.showQR {
		b.WriteString(s.Muted.Render(common.Wrap("The answer comes back to this computer (localhost). "+m.keys.QR.Help().Key+" shows a QR code of the URL, for a device that can reach it. Esc cancels.", w)))
		return b.String()
	}
	b.WriteString(s.Muted.Render(common.Wrap("The answer comes back to this computer (localhost): scan the code only from a device that can reach it. Esc cancels.", w)) + "\n\n")
	b.WriteString(m.qr(m.url))
	return b.String()
}

// deviceInfo is the code, large, with where to enter it and the time left.
func (m Model) deviceInfo() string {
	s := m.c.Styles
	w := max(m.width, 20)
	if m.sideBySide() {
		w = m.infoWidth()
	}
	var b strings.Builder
	if big, ok := bigText(m.dc.UserCode, w); ok {
		b.WriteString(s.BigCode.Render(big) + "\n\n")
	}
	b.WriteString(s.Label.Render("Code  ") + s.BigCode.Render(safetext.Line(m.dc.UserCode)) + "\n\n")
	b.WriteString(s.Text.Render("On any device, open") + "\n")
	b.WriteString(m.link(m.dc.VerificationURI, w) + "\n")
	b.WriteString(s.Text.Render("and enter the code.") + "\n\n")
	now := m.c.Now()
	if left := m.dc.ExpiresOn.Sub(now); left > 0 {
		b.WriteString(s.Text.Render("Expires in "+overview.HumanDuration(left)) + "\n")
	} else {
		b.WriteString(s.ErrorText.Render("✗ The code has expired.") + "\n")
	}
	b.WriteString(s.Muted.Render("Esc cancels."))
	if !m.sideBySide() {
		b.WriteString("\n" + s.Muted.Render("Scroll down for a QR code of the URL."))
	}
	return b.String()
}

func (m Model) qr(text string) string {
	return strings.TrimRight(termqr.Render(text, !m.c.NoColor), "\n")
}

// infoWidth is the width of the device code's text column beside the QR.
func (m Model) infoWidth() int {
	return max(m.width-lipgloss.Width(m.qr(m.dc.VerificationURI))-2, 0)
}

// sideBySide reports whether the device code and its QR code fit next to
// each other without scrolling.
func (m Model) sideBySide() bool {
	qr := m.qr(m.dc.VerificationURI)
	qrW, qrH := lipgloss.Size(qr)
	infoW := m.width - qrW - 2
	_, bigOK := bigText(m.dc.UserCode, infoW)
	return bigOK && infoW >= 30 && qrH <= m.height-2
}

func (m Model) deviceSideBySide() string {
	info := lipgloss.NewStyle().Width(m.infoWidth()).Render(m.deviceInfo())
	return lipgloss.JoinHorizontal(lipgloss.Top, info, "  ", m.qr(m.dc.VerificationURI))
}

// link draws a URL wrapped to w cells, each piece an OSC 8 hyperlink to the
// whole URL where the terminal supports them (others ignore the sequence).
// Only an https (or loopback http) URL that prints as itself is linked.
func (m Model) link(url string, w int) string {
	wrapped := common.HardWrap(url, w)
	if !safetext.IsClean(url) || !(strings.HasPrefix(url, "https://") || strings.HasPrefix(url, "http://127.0.0.1") || strings.HasPrefix(url, "http://localhost")) {
		return m.c.Styles.Link.Render(wrapped)
	}
	style := m.c.Styles.Link.Hyperlink(url)
	lines := strings.Split(wrapped, "\n")
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return strings.Join(lines, "\n")
}
