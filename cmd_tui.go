package main

import (
	"context"
	"errors"
	"fmt"

	"acctui/tui"
	"acctui/vault"
)

// errNeedsUnlock is what the vault's passphrase callback answers while the
// TUI has not been given one; it sends the TUI to its unlock screen.
var errNeedsUnlock = errors.New("the vault passphrase is needed")

// runTUI opens the terminal UI on the user's vault.
func (a *app) runTUI(ctx context.Context) error {
	if !a.stdinTTY {
		return usageError{errNoTerminal("a terminal for the interactive UI (see acctui --help for the scriptable commands)")}
	}
	var passphrase string
	a.passphraseOverride = func(context.Context, string) (string, error) {
		if passphrase == "" {
			return "", errNeedsUnlock
		}
		return passphrase, nil
	}
	client, err := a.engineClient(ctx, "")
	if err != nil {
		return err
	}
	needsUnlock, err := a.vaultNeedsUnlock(ctx)
	if err != nil {
		return err
	}
	return tui.Run(ctx, tui.Options{
		Backend:        tui.NewEngineBackend(client, a.vault, []string{defaultScope}, nil),
		Theme:          a.s.Theme,
		NoColor:        a.getenv("NO_COLOR") != "",
		Clipboard:      a.s.Clipboard,
		ClipboardClear: a.clipboardClear(),
		NeedsUnlock:    needsUnlock,
		Unlock: func(ctx context.Context, p string) error {
			passphrase = p
			if _, err := a.vault.Accounts(ctx); err != nil {
				passphrase = ""
				return err
			}
			return nil
		},
		OpenBrowser: func(url string) error { return openBrowser(url, a.getenv) },
		Scopes:      []string{defaultScope},
	})
}

// vaultNeedsUnlock reports whether the vault cannot be read without a
// passphrase the TUI must ask for.
func (a *app) vaultNeedsUnlock(ctx context.Context) (bool, error) {
	st, err := a.vault.Status(ctx)
	if err != nil {
		return false, err
	}
	if st.Backend != vault.BackendFile || a.getenv(vault.PassphraseEnv) != "" {
		return false, nil
	}
	if !st.Exists {
		return true, nil // a new vault: the passphrase is chosen now
	}
	_, err = a.vault.Accounts(ctx)
	switch {
	case errors.Is(err, errNeedsUnlock):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("vault: %w", err)
	}
	return false, nil
}
