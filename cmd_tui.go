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
	needsUnlock, isNew, err := a.vaultNeedsUnlock(ctx)
	if err != nil {
		return err
	}
	if needsUnlock && isNew {
		// A new vault's passphrase is chosen once and typed twice, before
		// the UI starts: a typo here would lock the user out for good.
		if passphrase, err = a.chooseVaultPassphrase(ctx); err != nil {
			return err
		}
		needsUnlock = false
	}
	return tui.Run(ctx, tui.Options{
		Backend:        tui.NewEngineBackend(client, a.vault, a.defaultScopes(), nil),
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
		Scopes:      a.defaultScopes(),
	})
}

// vaultNeedsUnlock reports whether the vault cannot be read without a
// passphrase, and whether it is a new vault whose passphrase is chosen now.
func (a *app) vaultNeedsUnlock(ctx context.Context) (needs, isNew bool, err error) {
	st, err := a.vault.Status(ctx)
	if err != nil {
		return false, false, err
	}
	if st.Backend != vault.BackendFile {
		return false, false, nil
	}
	if p := a.getenv(vault.PassphraseEnv); p != "" {
		if !st.Exists {
			// Refused before the UI starts, not at its first write.
			return false, false, checkNewPassphraseEnv(p)
		}
		return false, false, nil
	}
	if !st.Exists {
		return true, true, nil
	}
	_, err = a.vault.Accounts(ctx)
	switch {
	case errors.Is(err, errNeedsUnlock):
		return true, false, nil
	case err != nil:
		return false, false, fmt.Errorf("vault: %w", err)
	}
	return false, false, nil
}

// chooseVaultPassphrase asks twice on the terminal for a new vault's
// passphrase.
func (a *app) chooseVaultPassphrase(ctx context.Context) (string, error) {
	return a.chooseNewPassphrase(ctx, "acctui keeps tokens in an encrypted vault; this machine has no keyring service, so a passphrase protects it.")
}
