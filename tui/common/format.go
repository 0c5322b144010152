package common

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"acctui/internal/safetext"
	"acctui/overview"
	"acctui/themes"
)

// LiveStatus recomputes an account's state for now: the overview was built
// when the list was loaded, and an access token keeps ageing after that.
func LiveStatus(a overview.Account, now time.Time) overview.Status {
	switch a.Status {
	case overview.StatusValid, overview.StatusExpiring:
		left := a.ExpiresOn.Sub(now)
		switch {
		case a.ExpiresOn.IsZero():
			return a.Status
		case left <= 0 && (hasRefreshToken(a) || a.Principal != ""):
			// An app or identity re-acquires with its stored credential.
			return overview.StatusRefreshable
		case left <= 0:
			return overview.StatusSignInNeeded
		case left <= overview.ExpiringWithin:
			return overview.StatusExpiring
		}
		return overview.StatusValid
	}
	return a.Status
}

// LiveTokenStatus recomputes one token's state for now.
func LiveTokenStatus(t overview.Token, now time.Time) overview.Status {
	if t.Kind == overview.KindRefresh || t.ExpiresOn.IsZero() {
		return t.Status
	}
	left := t.ExpiresOn.Sub(now)
	switch {
	case left <= 0:
		return overview.StatusExpired
	case left <= overview.ExpiringWithin && t.Kind == overview.KindAccess:
		return overview.StatusExpiring
	}
	return overview.StatusValid
}

func hasRefreshToken(a overview.Account) bool {
	for _, t := range a.Tokens {
		if t.Kind == overview.KindRefresh {
			return true
		}
	}
	return false
}

// Badge draws a state as symbol, word and, for a valid or expiring token,
// the time left: "✓ valid 42m10s", "! expiring 3m", "↻ refreshable",
// "✗ sign in". It reads the same without colour.
func Badge(s *themes.Styles, status overview.Status, expiresOn, now time.Time) string {
	left := ""
	if !expiresOn.IsZero() && expiresOn.After(now) {
		left = " " + overview.HumanDuration(expiresOn.Sub(now))
	}
	switch status {
	case overview.StatusValid:
		return s.BadgeValid.Render("✓ valid" + left)
	case overview.StatusExpiring:
		return s.BadgeExpiring.Render("! expiring" + left)
	case overview.StatusExpired:
		return s.BadgeExpired.Render("✗ expired")
	case overview.StatusRefreshable:
		return s.BadgeRefreshable.Render("↻ refreshable")
	case overview.StatusSignInNeeded:
		return s.BadgeSignIn.Render("✗ sign in")
	case overview.StatusHeld:
		return s.BadgeHeld.Render("● held")
	}
	return s.Muted.Render("? " + string(status))
}

// StatusPrefix is the symbol that tells a status kind without colour.
func StatusPrefix(kind StatusKind) string {
	switch kind {
	case StatusOK:
		return "✓ "
	case StatusWarn:
		return "! "
	case StatusError:
		return "✗ "
	}
	return ""
}

// StatusStyle is the style of a status kind.
func StatusStyle(s *themes.Styles, kind StatusKind) lipgloss.Style {
	switch kind {
	case StatusOK:
		return s.StatusOK
	case StatusWarn:
		return s.StatusWarn
	case StatusError:
		return s.StatusError
	}
	return s.StatusInfo
}

// When shows a time as a local date and how far it is from now:
// "2030-01-02 03:04:05 (in 42m10s)".
func When(t, now time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return fmt.Sprintf("%s (%s)", t.Local().Format("2006-01-02 15:04:05 MST"), overview.Relative(t, now))
}

// Truncate cuts s to width cells, ending with "…" when cut.
func Truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// Wrap wraps plain text to width cells at spaces and, for long words such
// as URLs and tokens, anywhere. The text may come from outside acctui (an
// error description, a claim), so it is made safe to print first: control
// sequences show as escapes, line breaks stay.
func Wrap(s string, width int) string {
	s = safetext.Block(s)
	if width <= 0 {
		return s
	}
	return ansi.Wrap(s, width, "")
}

// HardWrap breaks s every width cells, for URLs and tokens whose pieces
// must stay in order without inserted hyphens or gaps.
func HardWrap(s string, width int) string {
	s = safetext.Line(s)
	if width <= 0 {
		return s
	}
	return ansi.Hardwrap(s, width, true)
}

// Field draws a "label  value" line whose value wraps under itself:
// labelWidth is the label column, width the whole line.
func Field(s *themes.Styles, label, value string, labelWidth, width int) string {
	return StyledField(s, label, safetext.Block(value), labelWidth, width)
}

// StyledField is Field for a value acctui styled itself (a badge, the
// masked token): it is not sanitised, so its colours stay.
func StyledField(s *themes.Styles, label, value string, labelWidth, width int) string {
	pad := strings.Repeat(" ", labelWidth)
	valueWidth := max(width-labelWidth, 10)
	lines := strings.Split(ansi.Wrap(value, valueWidth, ""), "\n")
	var b strings.Builder
	for i, line := range lines {
		if i == 0 {
			b.WriteString(s.Label.Render(PadRight(Truncate(safetext.Line(label), labelWidth-1), labelWidth)))
		} else {
			b.WriteString("\n" + pad)
		}
		b.WriteString(s.Value.Render(line))
	}
	return b.String()
}

// PadRight pads s with spaces to width cells.
func PadRight(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}

// Indent prefixes every line of s with n spaces.
func Indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

// Title draws a screen's title line.
func Title(s *themes.Styles, text string, width int) string {
	return s.Title.Render(Truncate(safetext.Line(text), width))
}

// Fit pads or cuts every line of s to exactly height lines, so a screen
// never pushes the status bar off the terminal.
func Fit(s string, height int) string {
	if height <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}
