// Package tui is acctui's terminal UI, a Bubble Tea program. The root model
// routes messages to one model per screen (tui/unlock, tui/accounts,
// tui/detail, tui/signin, tui/token, tui/confirm, tui/help) and owns the side
// effects: the clipboard and quitting. Everything slow — the engine, the
// vault, the clipboard tools — runs in tea.Cmds under context deadlines
// through a Backend, so Update never blocks.
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"acctui/engine"
	"acctui/themes"
	"acctui/tui/backend"
	"acctui/tui/clipboard"
	"acctui/tui/common"
	"acctui/tui/copier"
)

// DefaultClipboardClear is how long a copied token stays on the clipboard.
const DefaultClipboardClear = 30 * time.Second

// Backend is what the TUI asks for accounts and tokens (see package
// backend); NewEngineBackend is the real one.
type Backend = backend.Backend

// SignInRequest is a sign-in's login hint and claims challenge.
type SignInRequest = backend.SignInRequest

// NewEngineBackend returns the Backend on an engine client and the cache
// store it was configured with: tokens are asked for scopes, the account list
// is read from store (Read with the zero cache.Hint, then overview.Build).
// now is the clock; nil means time.Now.
func NewEngineBackend(client *engine.Client, store engine.CacheStore, scopes []string, now func() time.Time, opts ...BackendOption) Backend {
	return backend.NewEngine(client, store, scopes, now, opts...)
}

// BackendOption configures NewEngineBackend (backend.WithRedirectURI,
// backend.WithPrincipalToken).
type BackendOption = backend.Option

// WithRedirectURI makes the TUI's browser sign-ins use uri.
func WithRedirectURI(uri string) BackendOption { return backend.WithRedirectURI(uri) }

// PrincipalRequest is an app or managed identity to add (see backend).
type PrincipalRequest = backend.PrincipalRequest

// WithAddPrincipal lets the TUI's add-account screen sign in apps and
// managed identities with fn.
func WithAddPrincipal(fn backend.PrincipalAddFunc) BackendOption { return backend.WithAddPrincipal(fn) }

// WithPrincipalToken lets the TUI refresh service principals and managed
// identities with fn.
func WithPrincipalToken(fn backend.PrincipalTokenFunc) BackendOption {
	return backend.WithPrincipalToken(fn)
}

// Options configure the TUI.
type Options struct {
	// Backend answers for accounts and tokens. Required.
	Backend Backend
	// Theme names a built-in theme (themes.Names); "" is the default.
	Theme string
	// NoColor turns colours off (set it from NO_COLOR).
	NoColor bool
	// Clipboard is auto, native or osc52; "" is auto.
	Clipboard string
	// ClipboardWriter, when set, replaces the clipboard Clipboard chooses
	// (tests use a fake).
	ClipboardWriter clipboard.Writer
	// ClipboardClear is how long a copied token stays on the clipboard;
	// zero means DefaultClipboardClear, negative never clears.
	ClipboardClear time.Duration
	// NeedsUnlock starts on the passphrase screen; Unlock then opens the
	// vault.
	NeedsUnlock bool
	Unlock      func(ctx context.Context, passphrase string) error
	// OpenBrowser opens a URL in the desktop's browser without waiting;
	// nil leaves it to the user.
	OpenBrowser func(url string) error
	// SaveTheme remembers the theme the user picked with t (in the config
	// file); nil forgets it at exit.
	SaveTheme func(name string) error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Scopes are the scopes sign-ins ask for (shown on the sign-in screen).
	Scopes []string

	// tick replaces tea.Tick in tests.
	tick common.TickFunc
}

// check finds programming errors in the options.
func (o *Options) check() error {
	if o.Backend == nil {
		return errors.New("tui: Options.Backend is required")
	}
	if o.NeedsUnlock && o.Unlock == nil {
		return errors.New("tui: Options.NeedsUnlock needs Options.Unlock")
	}
	return nil
}

// New returns the root model, for a caller that runs its own tea.Program
// (Run is the usual way). It panics when Backend is nil, or NeedsUnlock is
// set without Unlock: both are programming errors. An unknown Clipboard mode
// is reported when the user copies.
func New(opts Options) tea.Model {
	if err := opts.check(); err != nil {
		panic(err)
	}
	return newModel(opts)
}

// Run runs the TUI on the terminal in the alternate screen, with mouse
// wheel support, until the user quits or ctx ends.
func Run(ctx context.Context, opts Options) error {
	if err := opts.check(); err != nil {
		return err
	}
	if _, err := clipboard.ParseMode(opts.Clipboard); err != nil {
		return fmt.Errorf("tui: %w", err)
	}
	// NO_COLOR holds even when the caller did not pass it on.
	opts.NoColor = opts.NoColor || themes.NoColorRequested(os.Getenv)
	m := newModel(opts)
	if exe, err := os.Executable(); err == nil {
		m.clip.DetachClear(func(w clipboard.Writer, after time.Duration, text string) error {
			return clipboard.SpawnClearer(exe, w, after, text)
		})
	}
	size := newSizeKeeper(os.Stdout)
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithFilter(size.filter))
	stopWatching := size.watch(p)
	_, err := p.Run()
	stopWatching()
	m.shutdown()
	// A copy under way finishes and leaves its clearer before acctui exits.
	m.clip.Wait(copier.Timeout)
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// ClearerEnv, when set in acctui's environment, makes the process the
// detached clearer that Run leaves behind after a copy (see RunClearer).
const ClearerEnv = clipboard.ClearerEnv

// RunClearer is the detached clearer's whole work: it waits, then clears
// the clipboard named by spec (ClearerEnv's value) if it still holds the
// copy whose digest arrives on in.
func RunClearer(ctx context.Context, spec string, in io.Reader) error {
	_, err := clipboard.RunClearer(ctx, spec, in, clipboard.SystemEnv(nil))
	return err
}
