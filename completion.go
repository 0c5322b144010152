package main

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"acctui/overview"
	"acctui/vault"

	"github.com/spf13/cobra"
)

// completionTimeout bounds a completion's look into the vault: a shell
// waits on it at every Tab.
const completionTimeout = 2 * time.Second

// errNoPromptInCompletion stops a completion from asking for the vault
// passphrase: the shell owns the terminal.
var errNoPromptInCompletion = errors.New("no passphrase prompt while completing")

// registerCompletions teaches the shell completion the values of acctui's
// flags: fixed lists, and accounts, tenants and scopes from the vault.
// Only the vault's index is read for accounts and tenants; scopes need the
// cache itself. Without a passphrase at hand (kernel keyring or
// ACCTUI_VAULT_PASSPHRASE) the vault's values are simply not offered.
func registerCompletions(root *cobra.Command, a *app) {
	fixed := func(values ...string) cobra.CompletionFunc {
		return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
	}
	register := func(cmd *cobra.Command, flag string, fn cobra.CompletionFunc) {
		if cmd.Flags().Lookup(flag) != nil || cmd.PersistentFlags().Lookup(flag) != nil {
			_ = cmd.RegisterFlagCompletionFunc(flag, fn)
		}
	}
	register(root, "vault-backend", fixed(vault.Backends...))
	for _, cmd := range root.Commands() {
		register(cmd, "account", a.completeAccounts)
		register(cmd, "tenant", a.completeTenants)
		register(cmd, "scope", a.completeScopes)
		switch cmd.Name() {
		case "token":
			register(cmd, "output", fixed(tokenOutputs...))
		case "accounts":
			register(cmd, "output", fixed(accountsOutputs...))
		case "login":
			register(cmd, "method", fixed("browser", "device", "password"))
			register(cmd, "username", a.completeUsernames)
		case "logout", "use":
			cmd.ValidArgsFunction = func(cmd *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return a.completeAccounts(cmd, args, prefix)
			}
		}
	}
}

// completionVault opens the vault for a completion: settings resolved as a
// command would, and no prompt.
func (a *app) completionVault(cmd *cobra.Command) (*vault.Vault, context.Context, context.CancelFunc, error) {
	ctx, cancel := context.WithTimeout(context.Background(), completionTimeout)
	if err := resolveSettings(ctx, cmd.Flags(), &a.s, a.getenv); err != nil {
		cancel()
		return nil, nil, nil, err
	}
	a.passphraseOverride = func(context.Context, string) (string, error) { return "", errNoPromptInCompletion }
	v, err := a.openVault(ctx)
	if err != nil {
		cancel()
		return nil, nil, nil, err
	}
	return v, ctx, cancel, nil
}

// summaries lists the vault's accounts from its index.
func (a *app) summaries(cmd *cobra.Command) []vault.AccountSummary {
	v, ctx, cancel, err := a.completionVault(cmd)
	if err != nil {
		return nil
	}
	defer cancel()
	list, err := v.Accounts(ctx)
	if err != nil {
		return nil
	}
	return list
}

// completeAccounts offers usernames and home account ids.
func (a *app) completeAccounts(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, s := range a.summaries(cmd) {
		out = append(out, s.Usernames...)
		out = append(out, s.HomeAccountID)
	}
	return matching(out, prefix), cobra.ShellCompDirectiveNoFileComp
}

// completeUsernames offers the usernames alone (login --username).
func (a *app) completeUsernames(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, s := range a.summaries(cmd) {
		out = append(out, s.Usernames...)
	}
	return matching(out, prefix), cobra.ShellCompDirectiveNoFileComp
}

// completeTenants offers the tenants the vault's accounts belong to.
func (a *app) completeTenants(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
	var out []string
	for _, s := range a.summaries(cmd) {
		out = append(out, s.Realms...)
		if t := tenantOf(s.HomeAccountID); t != "" {
			out = append(out, t)
		}
	}
	return matching(out, prefix), cobra.ShellCompDirectiveNoFileComp
}

// completeScopes offers the scopes of the cached access tokens.
func (a *app) completeScopes(cmd *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
	v, ctx, cancel, err := a.completionVault(cmd)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	defer cancel()
	var out []string
	list, _ := v.Overview(ctx, a.now())
	for _, acct := range list {
		for _, t := range acct.Tokens {
			if t.Kind == overview.KindAccess {
				out = append(out, t.Scopes...)
			}
		}
	}
	return matching(out, prefix), cobra.ShellCompDirectiveNoFileComp
}

// matching sorts and dedupes values and keeps those that start with prefix
// (the shell filters too; fewer lines are quicker to hand over).
func matching(values []string, prefix string) []string {
	var out []string
	for _, v := range values {
		if v != "" && strings.HasPrefix(strings.ToLower(v), strings.ToLower(prefix)) && !strings.ContainsAny(v, "\n\t") {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
