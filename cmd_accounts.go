package main

import (
	"bufio"
	"context"
	"fmt"
	"time"

	"acctui/engine/cache"
	"acctui/overview"
	"acctui/vault"

	"github.com/spf13/cobra"
)

func newAccountsCommand(a *app) *cobra.Command {
	var (
		asJSON bool
		output string
	)
	cmd := &cobra.Command{
		Use:   "accounts",
		Short: "List cached accounts and the state of each token (never a token itself)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, err := accountsOutputOf(output, cmd.Flags().Changed("output"), asJSON)
			if err != nil {
				return err
			}
			return a.withVault(cmd, 30*time.Second, func(ctx context.Context, v *vault.Vault) error {
				var apps []principalJSON
				now := a.now()
				err := v.Read(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
					apps = principalOverview(c, now)
					return nil
				})
				if err != nil {
					return err
				}
				active, err := v.ActiveAccount(ctx)
				if err != nil {
					return err
				}
				if active != "" {
					// a person's mark wins over an app's (activePrincipal)
					for i := range apps {
						apps[i].Active = false
					}
				}
				// The listing opens no token: people from the vault's
				// listing, streamed in order, apps and identities from its
				// shared entries. One write per 64 KB, not several per
				// account (1 000 accounts made 8 000 write calls).
				w := bufio.NewWriterSize(a.stdout, 64<<10)
				out := newAccountsWriter(format, w, now, active, a.accountPlacer())
				defer batchGC()()
				people := 0
				err = v.EachOverview(ctx, now, func(acct overview.Account) error {
					people++
					return out.account(acct)
				})
				if err != nil {
					w.Flush()
					return err
				}
				if format == accountsTable && people == 0 && len(apps) == 0 {
					fmt.Fprintln(a.stderr, "No accounts yet. Sign in with: acctui login")
					return nil
				}
				if err := out.finish(apps); err != nil {
					return err
				}
				return w.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (--output json)")
	cmd.Flags().StringVarP(&output, "output", "o", accountsTable, "output format: table (for people), json, tsv (one line per account)")
	return cmd
}

// statusText is an account's state in words, readable without colour.
func statusText(s overview.Status, expires time.Time, now time.Time) string {
	return string(appendStatusText(nil, s, expires, now))
}

// appendStatusText appends statusText(s, expires, now) to dst.
func appendStatusText(dst []byte, s overview.Status, expires time.Time, now time.Time) []byte {
	if s == overview.StatusValid && !expires.IsZero() {
		return append(overview.AppendHumanDuration(append(dst, "valid, "...), expires.Sub(now)), " left"...)
	}
	return append(dst, s...)
}
