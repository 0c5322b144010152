package common

import (
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
