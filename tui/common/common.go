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

	// outbox holds what screens asked of the root during one Update; the
	// root handles it before the next message, so a key typed right after
	// `d` already meets the confirmation.
	outbox []tea.Msg
}

// Send asks the root for something (open a screen, go back, copy) within
// the same Update, not through a command: a command's message would arrive
// after keys that were typed in the same burst. It returns nil, so a screen
// can return it as its command.
func (c *Common) Send(msg tea.Msg) tea.Cmd {
	c.outbox = append(c.outbox, msg)
	return nil
}

// Back asks the root to leave the current screen (see Send).
func (c *Common) Back() tea.Cmd { return c.Send(BackMsg{}) }

// TakeOutbox returns and forgets what screens sent during this Update.
func (c *Common) TakeOutbox() []tea.Msg {
	out := c.outbox
	c.outbox = nil
	return out
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
