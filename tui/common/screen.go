package common

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Screen is what every screen of the TUI gives the root model, as
// soft-serve's Component does: the root keeps its screens in one table and
// drives them through this interface only.
type Screen interface {
	// Update handles a message meant for the screen on top.
	Update(msg tea.Msg) tea.Cmd
	// View draws the screen's body.
	View() string
	// SetSize gives the screen the body's size.
	SetSize(width, height int)
	// ShortHelp lists the screen's keys for the key bar.
	ShortHelp() []key.Binding
}

// Typer is a screen that takes free text at times (a filter, a form): while
// Typing, only ctrl+c is a global key.
type Typer interface{ Typing() bool }

// Busier is a screen that can be waiting on slow work; Busy says what, for
// the spinner line, or "".
type Busier interface{ Busy() string }

// Coverable is a screen that pauses what must not run while another screen
// covers it (a countdown, a shown token).
type Coverable interface{ Cover() }

// Resumer is a screen that restarts its timers when it is on top again.
type Resumer interface{ Resume() tea.Cmd }

// Leaver is a screen that ends its work (flows, secrets) when it closes or
// the program quits.
type Leaver interface{ Leave() }

// Styler is a screen that caches styles and rebuilds them when the theme
// changes.
type Styler interface{ ApplyStyles() }

// KeyHolder is a screen still loading what the next keys act on (the token
// view before its token arrives): the root keeps those keys and hands them
// over once HoldsKeys turns false, so `v s` reveals the token however fast
// it is typed. Back and ctrl+c are never held.
type KeyHolder interface{ HoldsKeys() bool }
