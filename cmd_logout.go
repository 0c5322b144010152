package main

import (
	"context"
	"fmt"
	"time"

	"acctui/internal/safetext"

	"github.com/spf13/cobra"
)

func newLogoutCommand(a *app) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "logout USERNAME|HOME_ACCOUNT_ID",
		Short: "Remove an account and its tokens from the vault",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
			defer cancel()
			if err := refuseBlankArg("the account", args[0]); err != nil {
				return err
			}
			if handled, err := a.logoutPrincipal(ctx, args[0], yes); handled {
				return err
			}
			acct, err := a.pickAccount(ctx, args[0])
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
	return cmd
}
