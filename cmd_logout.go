package main

import (
	"context"
	"fmt"
	"time"

	"acctui/internal/safetext"

	"github.com/spf13/cobra"
)

func newLogoutCommand(a *app) *cobra.Command {
	var (
		yes     bool
		account string
	)
	cmd := &cobra.Command{
		Use:   "logout USERNAME|HOME_ACCOUNT_ID | --account A",
		Short: "Remove an account and its tokens from the vault",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
			defer cancel()
			name, err := logoutTarget(args, account, cmd.Flags().Changed("account"))
			if err != nil {
				return err
			}
			if handled, err := a.logoutPrincipal(ctx, name, yes); handled {
				return err
			}
			acct, err := a.pickAccount(ctx, name)
			if err != nil {
				return err
			}
			if !yes {
				if !a.stdinTTY {
					return usagef("removing %s needs confirmation: pass --yes (standard input is not a terminal)", acct.Username)
				}
				ok, err := confirm(a.stdin, a.stderr, fmt.Sprintf("Remove %s (%s) and its tokens?", safetext.Line(acct.Username), safetext.Line(acct.HomeAccountID)))
				if err != nil {
					return err
				}
				if !ok {
					fmt.Fprintln(a.stderr, "Nothing removed.")
					return nil
				}
			}
			client, err := a.engineClient(ctx, "")
			if err != nil {
				return err
			}
			if err := client.RemoveAccount(ctx, acct); err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "Removed %s.\n", safetext.Line(acct.Username))
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().StringVar(&account, "account", "", "the account, as token and git-credential name it (instead of the argument)")
	return cmd
}

// logoutTarget is the account to remove: the argument or --account, as
// token names it; one of them, not two different ones.
func logoutTarget(args []string, account string, flagSet bool) (string, error) {
	switch {
	case len(args) == 1 && flagSet && args[0] != account:
		return "", usagef("logout names two accounts (%q and --account %q): give one", safetext.Compact(args[0]), safetext.Compact(account))
	case len(args) == 1:
		return args[0], refuseBlankArg("the account", args[0])
	case flagSet:
		return account, refuseBlankArg("--account", account)
	}
	return "", usagef("logout needs the account to remove: acctui logout USERNAME (or --account USERNAME); see them with acctui accounts")
}
