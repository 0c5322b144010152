// Package common holds what every screen of acctui's TUI shares: the styles,
// the clock, the timer hook and the backend (Common), the messages screens
// send to the root (navigation and account actions), the explanations of
// errors, and formatting helpers.
package common

import (
	"context"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"acctui/themes"
	"acctui/tui/backend"
)

// CallTimeout bounds a backend call that is not a sign-in.
const CallTimeout = 30 * time.Second

// TickFunc schedules a message after d, like tea.Tick. Tests replace it so
// that no timer runs while a model is tested.
type TickFunc func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd

// Common is shared by the root model and every screen. The root owns it and
// changes it only in Update (a theme change replaces Styles); commands must
// copy what they need instead of reading it from another goroutine.
type Common struct {
	// Styles are the current theme's styles.
	Styles *themes.Styles
	// Backend answers for accounts and tokens.
	Backend backend.Backend
	// Now is the clock.
	Now func() time.Time
	// Tick schedules timers (countdowns, the spinner, clipboard clearing).
	Tick TickFunc
	// NoColor is set when NO_COLOR asked for no colours (QR codes then use
	// plain blocks).
	NoColor bool
	// Scopes are the scopes sign-ins ask for, shown on the sign-in screen.
	Scopes []string
}

// Call runs fn in a tea.Cmd under a context with the given timeout and turns
// its outcome into a message with done.
func Call[T any](timeout time.Duration, fn func(ctx context.Context) (T, error), done func(T, error) tea.Msg) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		v, err := fn(ctx)
		return done(v, err)
	}
}

// Send returns a command that delivers msg, for screens telling the root
// what the user asked for.
func Send(msg tea.Msg) tea.Cmd {
	return func() tea.Msg { return msg }
}

// InputStyles are text-input styles from the theme, with a steady cursor:
// a blinking one would keep a timer running.
func InputStyles(c *Common) textinput.Styles {
	s := c.Styles
	st := textinput.StyleState{Text: s.InputText, Placeholder: s.InputPlaceholder, Suggestion: s.Muted, Prompt: s.InputPrompt}
	return textinput.Styles{
		Focused: st,
		Blurred: textinput.StyleState{Text: s.Muted, Placeholder: s.InputPlaceholder, Suggestion: s.Muted, Prompt: s.Muted},
		Cursor:  textinput.CursorStyle{Color: s.Cursor, Shape: tea.CursorBlock, Blink: false},
	}
}
