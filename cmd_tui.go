package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"acctui/tui"
	"acctui/vault"
)

// errNeedsUnlock is what the vault's passphrase callback answers while the
// TUI has not been given one; it sends the TUI to its unlock screen.
var errNeedsUnlock = errors.New("the vault passphrase is needed")

// runTUI opens the terminal UI on the user's vault.
func (a *app) runTUI(ctx context.Context) error {
	if spec := a.getenv(tui.ClearerEnv); spec != "" {
		// The detached clipboard clearer an earlier copy left behind.
		return tui.RunClearer(ctx, spec, os.Stdin)
	}
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
	opts := a.tuiOptions(tui.NewEngineBackend(client, a.vault, a.defaultScopes(), nil,
		tui.WithRedirectURI(a.s.RedirectURI), tui.WithPrincipalToken(a.principalToken), tui.WithAddPrincipal(a.addPrincipalFromTUI)),
		a.defaultScopes())
	opts.NeedsUnlock = needsUnlock
	opts.Unlock = func(ctx context.Context, p string) error {
		passphrase = p
		if _, err := a.vault.Accounts(ctx); err != nil {
			passphrase = ""
			return err
		}
		return nil
	}
	opts.SaveTheme = func(name string) error { return saveThemeSetting(configPath(a.getenv), name) }
	return tui.Run(ctx, opts)
}

// tuiOptions are the options every TUI acctui starts shares (the real
// one and the demo): the settings and environment it shows them with.
func (a *app) tuiOptions(backend tui.Backend, scopes []string) tui.Options {
	return tui.Options{
		Backend:        backend,
		Theme:          a.s.Theme,
		NoColor:        a.getenv("NO_COLOR") != "",
		Clipboard:      a.s.Clipboard,
		ClipboardClear: a.clipboardClear(),
		OpenBrowser:    func(url string) error { return openBrowser(url, a.getenv) },
		Scopes:         scopes,
	}
}

// vaultNeedsUnlock reports whether the vault cannot be read without a
// passphrase, and whether it is a new vault whose passphrase is chosen now.
func (a *app) vaultNeedsUnlock(ctx context.Context) (needs, isNew bool, err error) {
	st, err := a.vault.Status(ctx)
	if errors.Is(err, errNeedsUnlock) {
		// Status opens an existing file to count its accounts, which needs
		// the key: the unlock screen asks for it.
		return true, false, nil
	}
	if err != nil {
		return false, false, err
	}
	if st.Backend != vault.BackendFile {
		return false, false, nil
	}
	if p := a.getenv(passphraseEnv); p != "" {
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
// passphrase, under the one rule for new passphrases (internal/passphrase).
func (a *app) chooseVaultPassphrase(ctx context.Context) (string, error) {
	return a.chooseNewPassphrase(ctx, "acctui keeps tokens in an encrypted vault; this machine has no keyring service, so a passphrase protects it.")
}

// themeLine is a top-level theme setting in config.toml, compiled on first
// use rather than in the start of every command.
var themeLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\s*theme\s*=`) })

// saveThemeSetting remembers the theme picked in the TUI in config.toml:
// it replaces the top-level theme line, or adds one at the top, and leaves
// every other line as it was.
func saveThemeSetting(path, name string) error {
	if path == "" {
		return errors.New("no config file location (set XDG_CONFIG_HOME or ACCTUI_CONFIG)")
	}
	setting := fmt.Sprintf("theme = %q", name)
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	lines := strings.Split(string(data), "\n")
	replaced := false
	for i, l := range lines {
		if strings.HasPrefix(strings.TrimSpace(l), "[") {
			break // a table starts: what follows is not top-level
		}
		if themeLine().MatchString(l) {
			lines[i], replaced = setting, true
			break
		}
	}
	if !replaced {
		lines = append([]string{setting}, lines...)
	}
	out := strings.Join(lines, "\n")
	if !strings.HasSuffix(out, "\n") {
		out += "\n"
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(out), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
