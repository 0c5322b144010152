package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"acctui/internal/passphrase"
	"acctui/internal/safetext"
	"acctui/vault"

	"github.com/spf13/cobra"
)

func newVaultCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vault",
		Short: "Inspect and manage the encrypted vault",
	}
	cmd.AddCommand(newVaultStatusCommand(a), newVaultResetCommand(a), newVaultPassphraseCommand(a))
	return cmd
}

func newVaultStatusCommand(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the backend, the file and how many accounts it holds",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withVault(cmd, 30*time.Second, func(ctx context.Context, v *vault.Vault) error {
				st, err := v.Status(ctx)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(a.stdout, st)
				}
				printVaultStatus(a, st)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newVaultResetCommand(a *app) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "reset",
		Short: "Start a new empty vault; the old file is moved aside, never deleted",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
			defer cancel()
			if !yes {
				if !a.stdinTTY {
					return usagef("reset needs confirmation: pass --yes (standard input is not a terminal)")
				}
				ok, err := confirm(a.stdin, a.stderr, "Move the vault aside and start an empty one?")
				if err != nil || !ok {
					fmt.Fprintln(a.stderr, "Nothing changed.")
					return err
				}
			}
			v, err := a.openVault(ctx)
			if err != nil {
				return err
			}
			a.newVaultKey = true // Reset stores a new key
			moved, err := v.Reset(ctx)
			if err != nil {
				return err
			}
			if moved == "" {
				fmt.Fprintln(a.stderr, "There was no vault file; a new empty vault is ready.")
				return nil
			}
			fmt.Fprintf(a.stderr, "The old vault is kept at %s; a new empty vault is ready.\n", safetext.Line(moved))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func newVaultPassphraseCommand(a *app) *cobra.Command {
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "passphrase",
		Short: "Change the file backend's passphrase (the vault file is not rewritten)",
		Long: `Change the passphrase that protects the vault's key in the file backend.
The current passphrase comes from ACCTUI_VAULT_PASSPHRASE or a prompt; the
new one from a prompt (twice) or, with --new-from-stdin, the first line of
standard input.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.withVault(cmd, 5*time.Minute, func(ctx context.Context, v *vault.Vault) error {
				var err error
				var next string
				switch {
				case fromStdin:
					if next, err = readStdinSecret(a.stdin); err == nil {
						err = passphrase.Check(next)
					}
				case a.stdinTTY:
					var again string
					next, err = readSecretLine(ctx, a.stderr, "New vault passphrase: ")
					if err == nil {
						err = passphrase.Check(next)
					}
					if err == nil {
						if again, err = readSecretLine(ctx, a.stderr, "Type it again: "); err == nil {
							err = passphrase.Confirm(next, again)
						}
					}
				default:
					return usageError{errNoTerminal("the new passphrase (use --new-from-stdin)")}
				}
				if errors.Is(err, passphrase.ErrTooShort) || errors.Is(err, passphrase.ErrBlank) || errors.Is(err, passphrase.ErrMismatch) {
					return usagef("%w; nothing changed", err)
				}
				if err != nil {
					return err
				}
				if err := v.ChangePassphrase(ctx, next); err != nil {
					return err
				}
				fmt.Fprintln(a.stderr, "Passphrase changed. Scripts that set ACCTUI_VAULT_PASSPHRASE need the new one.")
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&fromStdin, "new-from-stdin", false, "read the new passphrase from stdin")
	return cmd
}

func printVaultStatus(a *app, st vault.Status) {
	fmt.Fprintf(a.stdout, "backend      %s\n", st.Backend)
	fmt.Fprintf(a.stdout, "file         %s\n", safetext.Line(st.Path))
	if !st.Exists {
		fmt.Fprintln(a.stdout, "state        no vault yet (it is created at the first sign-in or import)")
		return
	}
	fmt.Fprintf(a.stdout, "accounts     %d\n", st.Accounts)
	fmt.Fprintf(a.stdout, "size         %d bytes (%d free), format %d, %d writes\n", st.Size, st.Free, st.FormatVersion, st.Generation)
	fmt.Fprintf(a.stdout, "modified     %s\n", st.Modified.Local().Format("2006-01-02 15:04:05 MST"))
	fmt.Fprintf(a.stdout, "key          vault-key-%s", st.KeyID)
	if st.KeyFromKernel {
		fmt.Fprint(a.stdout, " (unlocked from the kernel keyring cache)")
	}
	fmt.Fprintln(a.stdout)
}
