// Package themes turns colour palettes into the lipgloss styles acctui's
// terminal UI draws with. A Theme names colours by what they mean (Primary,
// Success, Danger …), never by where they appear, and Styles are derived from
// a theme once. Colour literals live in this package only.
//
// NO_COLOR (any non-empty value) selects the Plain theme: no colours at all,
// so every state must be readable from its text or symbol alone.
package themes

import (
	"image/color"
	"slices"
	"strings"
)

// DefaultName is the theme used when none is configured.
const DefaultName = "default"

// PlainName is the name of the colourless theme NO_COLOR selects.
const PlainName = "plain"

// Theme is a palette of semantic colour slots. A nil slot means "the
// terminal's own colour".
type Theme struct {
	// Name is how the theme is chosen (--theme, config, the t key).
	Name string

	// Text is body text; nil keeps the terminal's foreground.
	Text color.Color
	// Background is the background the theme was designed for. A theme
	// that sets Text sets it too, so its text never lands on a background
	// it cannot be read on; nil keeps the terminal's.
	Background color.Color
	// Primary is for titles and the focused element.
	Primary color.Color
	// Muted is for secondary text: labels, hints, help descriptions.
	Muted color.Color
	// Accent is for keys in help text, links and highlights.
	Accent color.Color
	// Success marks valid tokens and finished actions.
	Success color.Color
	// Warn marks tokens about to expire and recoverable problems.
	Warn color.Color
	// Danger marks expired tokens, errors and destructive actions.
	Danger color.Color
	// SelectedFg and SelectedBg draw the selected row.
	SelectedFg color.Color
	SelectedBg color.Color
	// Border draws frames and rules.
	Border color.Color

	// NoColor marks the plain theme: styles use no colour, only bold,
	// underline and reverse where they help.
	NoColor bool
}

// builtin is a theme with a variant for light and one for dark terminal
// backgrounds; themes made for one background use the same palette twice.
type builtin struct {
	light, dark Theme
	adaptive    bool
}

// Names lists the built-in themes in the order the t key cycles through them.
func Names() []string {
	return slices.Clone(order)
}

// Get returns the built-in theme called name (ignoring case) for a dark
// terminal background, the common case before the terminal has answered.
func Get(name string) (Theme, bool) {
	return GetFor(name, true)
}

// GetFor returns the built-in theme called name for a light or dark terminal
// background. "plain" is accepted too.
func GetFor(name string, dark bool) (Theme, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	if name == PlainName {
		return Plain(), true
	}
	b, ok := registry()[name]
	if !ok {
		return Theme{}, false
	}
	if dark {
		return b.dark, true
	}
	return b.light, true
}

// Adaptive reports whether the theme has distinct light and dark variants,
// so a caller knows whether the terminal's background colour matters.
func Adaptive(name string) bool {
	b, ok := registry()[strings.ToLower(strings.TrimSpace(name))]
	return ok && b.adaptive
}

// Plain returns the colourless theme.
func Plain() Theme {
	return Theme{Name: PlainName, NoColor: true}
}

// Resolve picks the theme to draw with: Plain when noColor is set, else the
// named theme, else the default one. dark says whether the terminal's
// background is dark.
func Resolve(name string, noColor, dark bool) Theme {
	if noColor {
		return Plain()
	}
	if t, ok := GetFor(name, dark); ok {
		return t
	}
	t, _ := GetFor(DefaultName, dark)
	return t
}

// NoColorRequested reports whether the NO_COLOR convention asks for no
// colour: the variable is set to any non-empty value.
func NoColorRequested(getenv func(string) string) bool {
	return getenv("NO_COLOR") != ""
}
