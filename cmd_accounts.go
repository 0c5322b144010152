package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"acctui/engine/cache"
	"acctui/internal/safetext"
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
				// The listing opens no token: people from the vault's
				// listing, apps and identities from its shared entries.
				accounts, err := v.Overview(ctx, now)
				if err != nil {
					return err
				}
				err = v.Read(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
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
				if format == accountsTSV {
					return writeAccountsTSV(a.stdout, accounts, active)
				}
				if format == accountsJSON {
					return writeJSON(a.stdout, accountsWithPrincipals(withActive(accounts, active), apps))
				}
				if len(accounts) == 0 && len(apps) == 0 {
					fmt.Fprintln(a.stderr, "No accounts yet. Sign in with: acctui login")
					return nil
				}
				printAccounts(a.stdout, accounts, now, active, a.accountPlacer())
				printPrincipals(a.stdout, apps, now, len(accounts) > 0)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (--output json)")
	cmd.Flags().StringVarP(&output, "output", "o", accountsTable, "output format: table (for people), json, tsv (one line per account)")
	return cmd
}

func printAccounts(out io.Writer, accounts []overview.Account, now time.Time, active string, place func(homeAccountID string) string) {
	// one write per 64 KB, not several per account (1 000 accounts made
	// 8 000 write calls, half the command's time)
	w := bufio.NewWriterSize(out, 64<<10)
	defer w.Flush()
	// one tabwriter, flushed per account: each account's rows line up
	// among themselves, as before, without a writer made per account
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, acct := range accounts {
		if i > 0 {
			w.WriteString("\n")
		}
		name := ""
		if acct.Name != "" {
			name = "  (" + safetext.Line(acct.Name) + ")"
		}
		w.WriteString(safetext.Line(acct.Username) + name + "  " + statusText(acct.Status, acct.ExpiresOn, now) + activeMark(acct, active) + "\n")
		w.WriteString("  " + safetext.Line(place(acct.HomeAccountID)) + "  home account " + safetext.Line(acct.HomeAccountID) + "\n")
		for _, t := range acct.Tokens {
			expiry := "-"
			if !t.ExpiresOn.IsZero() {
				expiry = t.ExpiresOn.Local().Format("2006-01-02 15:04 MST") + " (" + overview.Relative(t.ExpiresOn, now) + ")"
			}
			scopes := safetext.Line(strings.Join(t.Scopes, " "))
			if scopes == "" {
				scopes = "-"
			}
			tw.Write([]byte("  " + string(t.Kind) + "\t" + string(t.Status) + "\t" + expiry + "\t" + scopes + "\n"))
		}
		tw.Flush()
	}
}

// statusText is an account's state in words, readable without colour.
func statusText(s overview.Status, expires time.Time, now time.Time) string {
	if s == overview.StatusValid && !expires.IsZero() {
		return fmt.Sprintf("valid, %s left", overview.HumanDuration(expires.Sub(now)))
	}
	return string(s)
}
