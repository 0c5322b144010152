package themes

import (
	"image/color"
	"sync"

	"charm.land/lipgloss/v2"
)

// order is the cycling order of the built-in themes.
var order = []string{DefaultName, "light", "high-contrast", "catppuccin", "dracula"}

// registry holds every built-in theme by name. Colour literals of acctui
// appear in this file only. It is built on first use: a command that never
// styles anything (acctui token) should not pay for ten palettes at start.
var registry = sync.OnceValue(func() map[string]builtin {
	return map[string]builtin{
		DefaultName:     {light: defaultTheme(false), dark: defaultTheme(true), adaptive: true},
		"light":         {light: light(), dark: light()},
		"high-contrast": {light: highContrast(false), dark: highContrast(true), adaptive: true},
		"catppuccin":    {light: catppuccinLatte(), dark: catppuccinMocha(), adaptive: true},
		"dracula":       {light: dracula(), dark: dracula()},
	}
})

// defaultTheme uses the 256-colour palette so it looks the same in every
// terminal that has one, with a light and a dark variant.
func defaultTheme(dark bool) Theme {
	pick := lipgloss.LightDark(dark)
	c := func(light, dark string) color.Color { return pick(lipgloss.Color(light), lipgloss.Color(dark)) }
	return Theme{
		Name:       DefaultName,
		Text:       nil,
		Primary:    c("#5A4FCF", "#A8A0FF"),
		Muted:      c("#6C6C6C", "#9E9E9E"),
		Accent:     c("#0A6FB8", "#5FAFFF"),
		Success:    c("#1E7B34", "#5FD787"),
		Warn:       c("#9A6700", "#FFD75F"),
		Danger:     c("#C62828", "#FF6B6B"),
		SelectedFg: c("#1B1B1B", "#FFFFFF"),
		SelectedBg: c("#DCD8FF", "#3A3550"),
		Border:     c("#B0B0B0", "#585858"),
	}
}

// highContrast sticks to the 16 basic ANSI colours, which users tune for
// their own eyes, with the brightest variants on dark backgrounds.
func highContrast(dark bool) Theme {
	if dark {
		return Theme{
			Name:       "high-contrast",
			Text:       lipgloss.BrightWhite,
			Background: lipgloss.Black,
			Primary:    lipgloss.BrightWhite,
			Muted:      lipgloss.White,
			Accent:     lipgloss.BrightCyan,
			Success:    lipgloss.BrightGreen,
			Warn:       lipgloss.BrightYellow,
			Danger:     lipgloss.BrightRed,
			SelectedFg: lipgloss.Black,
			SelectedBg: lipgloss.BrightYellow,
			Border:     lipgloss.BrightWhite,
		}
	}
	return Theme{
		Name:       "high-contrast",
		Text:       lipgloss.Black,
		Background: lipgloss.BrightWhite,
		Primary:    lipgloss.Black,
		Muted:      lipgloss.BrightBlack,
		Accent:     lipgloss.Blue,
		Success:    lipgloss.Green,
		Warn:       lipgloss.Magenta,
		Danger:     lipgloss.Red,
		SelectedFg: lipgloss.BrightWhite,
		SelectedBg: lipgloss.Blue,
		Border:     lipgloss.Black,
	}
}

// catppuccinMocha is Catppuccin's dark flavour.
func catppuccinMocha() Theme {
	return Theme{
		Name:       "catppuccin",
		Text:       lipgloss.Color("#CDD6F4"),
		Background: lipgloss.Color("#1E1E2E"),
		Primary:    lipgloss.Color("#CBA6F7"),
		Muted:      lipgloss.Color("#7F849C"),
		Accent:     lipgloss.Color("#89B4FA"),
		Success:    lipgloss.Color("#A6E3A1"),
		Warn:       lipgloss.Color("#F9E2AF"),
		Danger:     lipgloss.Color("#F38BA8"),
		SelectedFg: lipgloss.Color("#CDD6F4"),
		SelectedBg: lipgloss.Color("#45475A"),
		Border:     lipgloss.Color("#585B70"),
	}
}

// catppuccinLatte is Catppuccin's light flavour.
func catppuccinLatte() Theme {
	return Theme{
		Name:       "catppuccin",
		Text:       lipgloss.Color("#4C4F69"),
		Background: lipgloss.Color("#EFF1F5"),
		Primary:    lipgloss.Color("#8839EF"),
		Muted:      lipgloss.Color("#8C8FA1"),
		Accent:     lipgloss.Color("#1E66F5"),
		Success:    lipgloss.Color("#40A02B"),
		Warn:       lipgloss.Color("#DF8E1D"),
		Danger:     lipgloss.Color("#D20F39"),
		SelectedFg: lipgloss.Color("#4C4F69"),
		SelectedBg: lipgloss.Color("#CCD0DA"),
		Border:     lipgloss.Color("#ACB0BE"),
	}
}

// dracula is made for dark backgrounds only.
func dracula() Theme {
	return Theme{
		Name:       "dracula",
		Text:       lipgloss.Color("#F8F8F2"),
		Background: lipgloss.Color("#282A36"),
		Primary:    lipgloss.Color("#BD93F9"),
		Muted:      lipgloss.Color("#6272A4"),
		Accent:     lipgloss.Color("#8BE9FD"),
		Success:    lipgloss.Color("#50FA7B"),
		Warn:       lipgloss.Color("#F1FA8C"),
		Danger:     lipgloss.Color("#FF5555"),
		SelectedFg: lipgloss.Color("#F8F8F2"),
		SelectedBg: lipgloss.Color("#44475A"),
		Border:     lipgloss.Color("#6272A4"),
	}
}

// light is dark text on a white page, for those who want a light screen
// whatever their terminal's own background.
func light() Theme {
	return Theme{
		Name:       "light",
		Text:       lipgloss.Color("#1F2328"),
		Background: lipgloss.Color("#FFFFFF"),
		Primary:    lipgloss.Color("#6639BA"),
		Muted:      lipgloss.Color("#59636E"),
		Accent:     lipgloss.Color("#0969DA"),
		Success:    lipgloss.Color("#1A7F37"),
		Warn:       lipgloss.Color("#9A6700"),
		Danger:     lipgloss.Color("#CF222E"),
		SelectedFg: lipgloss.Color("#1F2328"),
		SelectedBg: lipgloss.Color("#DDF4FF"),
		Border:     lipgloss.Color("#D1D9E0"),
	}
}
