package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"acctui/internal/passphrase"
	"acctui/vault"
)

// newPassphraseTries is how often a person may get the new passphrase
// wrong (too short, or typed differently twice) before acctui gives up.
const newPassphraseTries = 3

// vaultPassphrase is the vault's passphrase callback. The vault is opened
// with ACCTUI_VAULT_PASSPHRASE hidden from it (see vaultGetenv), so every
// request comes here and a passphrase for a new key, from the variable or
// a terminal, meets passphrase.Check first: a key stored under a
// one-letter passphrase, or under a typo, cannot be taken back.
func (a *app) vaultPassphrase(ctx context.Context, prompt string) (string, error) {
	creating := a.creatingVaultKey()
	if p := a.getenv(passphraseEnv); p != "" {
		if creating {
			if err := checkNewPassphraseEnv(p); err != nil {
				return "", err
			}
		}
		return p, nil
	}
	if !creating {
		return a.promptPassphrase(ctx, prompt)
	}
	if a.passphraseOverride != nil {
		// The TUI chose it already, typed twice (chooseNewPassphrase).
		p, err := a.passphraseOverride(ctx, prompt)
		if err == nil && p != "" {
			err = passphrase.Check(p)
		}
		return p, err
	}
	return a.chooseNewPassphrase(ctx, "acctui keeps tokens in an encrypted vault, and a passphrase protects its key.")
}

// checkNewPassphraseEnv applies the rule for a new passphrase to
// ACCTUI_VAULT_PASSPHRASE, never quoting it.
func checkNewPassphraseEnv(p string) error {
	if err := passphrase.Check(p); err != nil {
		return usageError{fmt.Errorf("%s cannot protect a new vault: %w; nothing was created", passphraseEnv, err)}
	}
	return nil
}

// creatingVaultKey reports whether the vault is about to store a new data
// key under the passphrase asked for: on `vault reset`, or when there is
// no vault file yet (an existing key is only ever read for an existing
// file, whose header names it).
func (a *app) creatingVaultKey() bool {
	if a.newVaultKey {
		return true
	}
	if a.vault == nil {
		return false
	}
	_, err := os.Lstat(a.vault.Path())
	return errors.Is(err, fs.ErrNotExist)
}

// vaultGetenv is the environment the vault reads: all of it but the
// passphrase, which vaultPassphrase hands over after checking it.
func (a *app) vaultGetenv(name string) string {
	if name == passphraseEnv {
		return ""
	}
	return a.getenv(name)
}

// chooseNewPassphrase asks on the terminal for a new passphrase, twice,
// until it passes the rule and both entries agree.
func (a *app) chooseNewPassphrase(ctx context.Context, intro string) (string, error) {
	if !a.stdinTTY {
		return "", errNoTerminal("a passphrase for the new vault (set " + passphraseEnv + ", at least 8 characters)")
	}
	a.armInterrupts()
	fmt.Fprintln(a.stderr, intro)
	fmt.Fprintf(a.stderr, "Choose a passphrase of at least %d characters; it cannot be recovered.\n", passphrase.MinLength)
	for try := 1; ; try++ {
		first, err := readSecretLine(ctx, a.stderr, "New vault passphrase: ")
		if err != nil {
			return "", err
		}
		err = passphrase.Check(first)
		if err == nil {
			var again string
			if again, err = readSecretLine(ctx, a.stderr, "Type it again: "); err != nil {
				return "", err
			}
			err = passphrase.Confirm(first, again)
		}
		if err == nil {
			return first, nil
		}
		if try == newPassphraseTries {
			return "", usageError{fmt.Errorf("%w; nothing was created", err)}
		}
		fmt.Fprintf(a.stderr, "%s; try again.\n", upperFirst(err.Error()))
	}
}

// upperFirst starts a sentence with a capital letter.
func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// refuseWeakNewVault fails early, before a sign-in or an import does its
// work, when that work would create a file-backend vault under an
// ACCTUI_VAULT_PASSPHRASE that the rule refuses. The vault's callback
// refuses it anyway; this only spares the user a sign-in whose tokens
// could not be kept.
func (a *app) refuseWeakNewVault(ctx context.Context, v *vault.Vault) error {
	p := a.getenv(passphraseEnv)
	if p == "" || passphrase.Check(p) == nil || !a.creatingVaultKey() {
		return nil
	}
	st, err := v.Status(ctx)
	if err != nil || st.Backend != vault.BackendFile {
		return nil // other keyrings take no passphrase of ours
	}
	return checkNewPassphraseEnv(p)
}
