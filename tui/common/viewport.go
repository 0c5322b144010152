package common

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
)

// ScrollKeys are the keys that move a scrolling view: the list's keys, so
// g/G (home/end) go to the top and bottom of an account's details as they
// go to the first and last account.
type ScrollKeys struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
}

// Bindings lists the keys, for a screen's full help.
func (k ScrollKeys) Bindings() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}
}

// NewViewport returns a scrolling area that k moves (with Scroll) and the
// mouse wheel scrolls; the viewport's other keys are off so they cannot
// shadow the screen's.
func NewViewport(k ScrollKeys) viewport.Model {
	vp := viewport.New()
	vp.MouseWheelEnabled = true
	vp.KeyMap.Up = k.Up
	vp.KeyMap.Down = k.Down
	vp.KeyMap.PageUp = k.PageUp
	vp.KeyMap.PageDown = k.PageDown
	vp.KeyMap.HalfPageUp = key.NewBinding(key.WithDisabled())
	vp.KeyMap.HalfPageDown = key.NewBinding(key.WithDisabled())
	vp.KeyMap.Left = key.NewBinding(key.WithDisabled())
	vp.KeyMap.Right = key.NewBinding(key.WithDisabled())
	return vp
}

// Scroll is the viewport's Update with k's Home and End, which the
// viewport's own key map lacks.
func Scroll(vp viewport.Model, k ScrollKeys, msg tea.Msg) (viewport.Model, tea.Cmd) {
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(msg, k.Home):
			vp.GotoTop()
			return vp, nil
		case key.Matches(msg, k.End):
			vp.GotoBottom()
			return vp, nil
		}
	}
	return vp.Update(msg)
}

// ScrollNote tells that a scrolled view holds more than it shows: "" when
// everything fits, else how far down it is and which way there is more
// (" · 40% ↓", " · 100% ↑").
func ScrollNote(vp viewport.Model) string {
	if vp.TotalLineCount() <= vp.Height() {
		return ""
	}
	pct := int(vp.ScrollPercent()*100 + 0.5)
	switch {
	case vp.AtTop():
		return fmt.Sprintf(" · %d%% ↓ more", pct)
	case vp.AtBottom():
		return fmt.Sprintf(" · %d%% ↑ more", pct)
	}
	return fmt.Sprintf(" · %d%% ↑↓", pct)
}
