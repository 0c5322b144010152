package common

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
)

// NewViewport returns a scrolling area that the screen's own bindings
// move and the mouse wheel scrolls; the viewport's other keys are off so
// they cannot shadow the screen's.
func NewViewport(up, down, pageUp, pageDown key.Binding) viewport.Model {
	vp := viewport.New()
	vp.MouseWheelEnabled = true
	vp.KeyMap.Up = up
	vp.KeyMap.Down = down
	vp.KeyMap.PageUp = pageUp
	vp.KeyMap.PageDown = pageDown
	vp.KeyMap.HalfPageUp = key.NewBinding(key.WithDisabled())
	vp.KeyMap.HalfPageDown = key.NewBinding(key.WithDisabled())
	vp.KeyMap.Left = key.NewBinding(key.WithDisabled())
	vp.KeyMap.Right = key.NewBinding(key.WithDisabled())
	return vp
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
