package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"acctui/engine"
	"acctui/internal/safetext"
	"acctui/principals"
	"acctui/vault"

	"github.com/spf13/cobra"
)

func newUseCommand(a *app) *cobra.Command {
	var clear bool
	cmd := &cobra.Command{
		Use:   "use [ACCOUNT]",
		Short: "Make an account the active one (used when several accounts could answer)",
		Long: `Make ACCOUNT (username or home account id) the active account: token,
git-credential and the exec credential use it when no --account is given
and several accounts match, export --azure-cli makes it az's default, and
accounts marks it. ACCOUNT may also be a service principal's client id or
a managed identity's id: token, git-credential and the exec credential
then serve that app's token when no --account is given. Without an
argument, print the active account (username and home account id, or an
app's id and kind, tab-separated); --clear forgets it. Logging the active
account out clears it too. It is kept inside the encrypted vault.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if clear && len(args) > 0 {
				return usagef("--clear takes no account")
			}
			return a.withVault(cmd, 30*time.Second, func(ctx context.Context, v *vault.Vault) error {
				switch {
				case clear:
					if err := v.SetActiveAccount(ctx, ""); err != nil {
						return err
					}
					if err := principals.ClearActive(ctx, v); err != nil {
						return err
					}
					fmt.Fprintln(a.stderr, "No account is active now.")
					return nil
				case len(args) == 0:
					if p, ok, err := a.activePrincipal(ctx, v); err != nil || ok {
						if err != nil {
							return err
						}
						_, err = fmt.Fprintf(a.stdout, "%s\t%s\n", safetext.Line(p.Name()), p.Kind)
						return err
					}
					acct, ok, err := a.activeAccount(ctx, v)
					if err != nil {
						return err
					}
					if !ok {
						fmt.Fprintln(a.stderr, "No account is active; make one active with: acctui use ACCOUNT")
						return nil
					}
					_, err = fmt.Fprintf(a.stdout, "%s\t%s\n", safetext.Line(acct.Username), acct.HomeAccountID)
					return err
				}
				if err := refuseBlankArg("the account", args[0]); err != nil {
					return err
				}
				if p, ok, err := a.findPrincipal(ctx, args[0]); err != nil || ok {
					if err != nil {
						return err
					}
					return a.usePrincipal(ctx, v, p)
				}
				acct, err := a.pickAccount(ctx, args[0])
				if err != nil {
					return err
				}
				if err := v.SetActiveAccount(ctx, acct.HomeAccountID); err != nil {
					return err
				}
				// one active mark at a time: the person's replaces an app's
				if err := principals.ClearActive(ctx, v); err != nil {
					return err
				}
				fmt.Fprintf(a.stderr, "Active account: %s (%s).\n", safetext.Line(acct.Username), acct.HomeAccountID)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&clear, "clear", false, "forget the active account")
	return cmd
}

// severalAccountsError is pickAccount's answer when more than one account
// matches; the commands that may fall back on the active account look for
// it among the candidates.
type severalAccountsError struct{ candidates []engine.Account }

func (e severalAccountsError) Error() string {
	names := make([]string, len(e.candidates))
	for i, c := range e.candidates {
		names[i] = fmt.Sprintf("%s (%s)", safetext.Line(c.Username), c.HomeAccountID)
	}
	return "several accounts match; pass --account with one of: " + strings.Join(names, ", ") + ", or make one active with: acctui use ACCOUNT"
}

// activeAmong returns the active account when it is one of the
// candidates.
func (a *app) activeAmong(ctx context.Context, candidates []engine.Account) (engine.Account, bool, error) {
	v, err := a.openVault(ctx)
	if err != nil {
		return engine.Account{}, false, err
	}
	home, err := v.ActiveAccount(ctx)
	if err != nil || home == "" {
		return engine.Account{}, false, err
	}
	for _, c := range candidates {
		if strings.EqualFold(c.HomeAccountID, home) {
			return c, true, nil
		}
	}
	return engine.Account{}, false, nil
}

// activeAccount is the active account as the vault's index knows it.
func (a *app) activeAccount(ctx context.Context, v *vault.Vault) (engine.Account, bool, error) {
	home, err := v.ActiveAccount(ctx)
	if err != nil || home == "" {
		return engine.Account{}, false, err
	}
	summaries, err := v.ResolveAccount(ctx, home)
	if err != nil {
		return engine.Account{}, false, err
	}
	for _, s := range summaries {
		if strings.EqualFold(s.HomeAccountID, home) {
			return summaryAccount(s), true, nil
		}
	}
	return engine.Account{}, false, nil
}

// usePrincipal makes a service principal or managed identity the active
// account, and forgets the active person: one mark is set at a time.
func (a *app) usePrincipal(ctx context.Context, v *vault.Vault, p principal) error {
	if err := principals.SetActive(ctx, v, p); err != nil {
		return err
	}
	if err := v.SetActiveAccount(ctx, ""); err != nil {
		return err
	}
	fmt.Fprintf(a.stderr, "Active account: %s %s.\n", p.KindText(), safetext.Line(p.Name()))
	return nil
}
