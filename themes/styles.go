package themes

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles are the lipgloss styles of every element the TUI draws, derived
// once from a Theme by NewStyles. Screens use these and never build colours
// themselves.
type Styles struct {
	// Theme is the theme the styles were made from.
	Theme Theme

	// Header is the top bar; HeaderApp the program name in it; HeaderInfo
	// its right-hand text.
	Header     lipgloss.Style
	HeaderApp  lipgloss.Style
	HeaderInfo lipgloss.Style

	// Title heads a screen; Section heads a block within one.
	Title   lipgloss.Style
	Section lipgloss.Style

	// Text is body text, Muted secondary text, Accent emphasised text,
	// Bold strong text in the body colour.
	Text   lipgloss.Style
	Muted  lipgloss.Style
	Accent lipgloss.Style
	Bold   lipgloss.Style

	// Label and Value draw "field: value" pairs.
	Label lipgloss.Style
	Value lipgloss.Style

	// Link draws URLs.
	Link lipgloss.Style

	// Row is a list row, RowSelected the selected one; RowDetail and
	// RowDetailSelected their secondary lines; Marker the selection mark.
	Row               lipgloss.Style
	RowSelected       lipgloss.Style
	RowDetail         lipgloss.Style
	RowDetailSelected lipgloss.Style
	Marker            lipgloss.Style

	// Badges say a token's or an account's state; each is paired with a
	// symbol and a word so colour is never the only signal.
	BadgeValid       lipgloss.Style
	BadgeExpiring    lipgloss.Style
	BadgeExpired     lipgloss.Style
	BadgeRefreshable lipgloss.Style
	BadgeSignIn      lipgloss.Style
	BadgeHeld        lipgloss.Style

	// Status line texts by kind.
	StatusInfo  lipgloss.Style
	StatusOK    lipgloss.Style
	StatusWarn  lipgloss.Style
	StatusError lipgloss.Style

	// ErrorText and WarnText colour a problem's message; Danger is for
	// destructive choices.
	ErrorText lipgloss.Style
	WarnText  lipgloss.Style
	Danger    lipgloss.Style

	// Frame surrounds a boxed block (a confirmation, the big user code).
	Frame lipgloss.Style

	// BigCode draws the large device-flow user code.
	BigCode lipgloss.Style

	// Masked draws a hidden secret's placeholder.
	Masked lipgloss.Style

	// Spinner draws the busy spinner.
	Spinner lipgloss.Style

	// HelpKey, HelpDesc and HelpSep draw key help.
	HelpKey  lipgloss.Style
	HelpDesc lipgloss.Style
	HelpSep  lipgloss.Style

	// InputPrompt, InputText, InputPlaceholder and InputCursor draw text
	// inputs; Cursor is the colour of the cursor (nil for the terminal's).
	InputPrompt      lipgloss.Style
	InputText        lipgloss.Style
	InputPlaceholder lipgloss.Style
	Cursor           color.Color
}

// NewStyles derives the styles of a theme. The plain theme gets no colour at
// all; bold, underline and reverse still mark emphasis and selection.
func NewStyles(t Theme) *Styles {
	base := lipgloss.NewStyle()
	fg := func(c color.Color) lipgloss.Style {
		if t.NoColor || c == nil {
			return base
		}
		return base.Foreground(c)
	}
	bg := func(s lipgloss.Style, c color.Color) lipgloss.Style {
		if t.NoColor || c == nil {
			return s
		}
		return s.Background(c)
	}
	border := func(s lipgloss.Style) lipgloss.Style {
		s = s.Border(lipgloss.RoundedBorder())
		if !t.NoColor && t.Border != nil {
			s = s.BorderForeground(t.Border)
		}
		return s
	}

	s := &Styles{Theme: t}
	s.Header = base
	s.HeaderApp = fg(t.Primary).Bold(true)
	s.HeaderInfo = fg(t.Muted)
	s.Title = fg(t.Primary).Bold(true)
	s.Section = fg(t.Accent).Bold(true)
	s.Text = fg(t.Text)
	s.Muted = fg(t.Muted)
	s.Accent = fg(t.Accent)
	s.Bold = fg(t.Text).Bold(true)
	s.Label = fg(t.Muted)
	s.Value = fg(t.Text)
	s.Link = fg(t.Accent).Underline(true)

	s.Row = fg(t.Text)
	s.RowDetail = fg(t.Muted)
	if t.NoColor {
		s.RowSelected = base.Bold(true)
		s.RowDetailSelected = base
	} else {
		s.RowSelected = bg(fg(t.SelectedFg).Bold(true), t.SelectedBg)
		s.RowDetailSelected = bg(fg(t.SelectedFg), t.SelectedBg)
	}
	s.Marker = fg(t.Primary).Bold(true)

	s.BadgeValid = fg(t.Success)
	s.BadgeExpiring = fg(t.Warn).Bold(true)
	s.BadgeExpired = fg(t.Danger)
	s.BadgeRefreshable = fg(t.Accent)
	s.BadgeSignIn = fg(t.Danger).Bold(true)
	s.BadgeHeld = fg(t.Muted)

	s.StatusInfo = fg(t.Text)
	s.StatusOK = fg(t.Success)
	s.StatusWarn = fg(t.Warn)
	s.StatusError = fg(t.Danger).Bold(true)

	s.ErrorText = fg(t.Danger)
	s.WarnText = fg(t.Warn)
	s.Danger = fg(t.Danger).Bold(true)

	s.Frame = border(base).Padding(0, 1)
	s.BigCode = fg(t.Primary).Bold(true)
	s.Masked = fg(t.Muted)
	s.Spinner = fg(t.Primary)

	s.HelpKey = fg(t.Accent).Bold(true)
	s.HelpDesc = fg(t.Muted)
	s.HelpSep = fg(t.Border)

	s.InputPrompt = fg(t.Accent).Bold(true)
	s.InputText = fg(t.Text)
	s.InputPlaceholder = fg(t.Muted)
	if !t.NoColor {
		s.Cursor = t.Primary
	}
	return s
}
