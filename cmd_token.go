package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/vault"

	"github.com/spf13/cobra"
)

// defaultScope is Azure Resource Manager's, as az account get-access-token.
const defaultScope = "https://management.core.windows.net//.default"

// defaultScopeFor is ARM of the authority's cloud (engine.DefaultScope), so
// a sovereign-cloud authority gets its own cloud's resource.
func defaultScopeFor(authority string) string {
	if scope, err := engine.DefaultScope(authority); err == nil {
		return scope
	}
	return defaultScope
}

func newTokenCommand(a *app) *cobra.Command {
	var (
		scopes       []string
		account      string
		tenant       string
		forceRefresh bool
		claims       string
		asJSON       bool
		output       string
	)
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Print an access token, from the cache when it can (never a sign-in)",
		Long: `Print an access token for an account, silently: from the encrypted cache
when a valid one is there, else through the refresh token. It never starts
a sign-in: when one is needed it exits with code 4. The only question it
may ask, on a terminal, is the file backend's vault passphrase.

  curl -H "Authorization: Bearer $(acctui token --scope https://graph.microsoft.com/.default)" ...`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			format, execVersion, err := tokenFormat(output, cmd.Flags().Changed("output"), asJSON, a.getenv)
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 60*time.Second)
			defer cancel()
			if len(scopes) == 0 {
				scopes = a.defaultScopes()
			}
			if v, err := a.openVault(ctx); err == nil {
				// the name's lookup and the token's read share one open
				// of the file (vault/readhold.go)
				v.KeepOpenForNextRead()
				defer v.ReleaseHeld()
			}
			if result, acct, ok, err := a.principalTokenResult(ctx, account, scopes, forceRefresh); ok || err != nil {
				if err != nil {
					return err
				}
				return writeToken(a.stdout, format, execVersion, tenant, result, acct, time.Now())
			}
			acct, err := a.accountForToken(ctx, account)
			if err != nil {
				return err
			}
			client, err := a.engineClient(ctx, tenant)
			if err != nil {
				return err
			}
			var opts []engine.Option
			if forceRefresh {
				opts = append(opts, engine.WithForceRefresh())
			}
			if claims != "" {
				opts = append(opts, engine.WithClaims(claims))
			}
			result, err := client.AcquireTokenSilent(ctx, splitScopes(scopes), acct, opts...)
			if err != nil {
				return err
			}
			a.log.Debug("token", "account", acct.Username, "source", string(result.Source), "expires_on", result.ExpiresOn)
			return writeToken(a.stdout, format, execVersion, tenant, result, acct, a.now())
		},
	}
	cmd.Flags().StringArrayVar(&scopes, "scope", nil, "scope to ask for; repeatable (default "+defaultScope+")")
	cmd.Flags().StringVar(&account, "account", "", "username or home account id (may be left out with one account)")
	cmd.Flags().StringVar(&tenant, "tenant", "", "tenant id or domain (default: the authority's)")
	cmd.Flags().BoolVar(&forceRefresh, "force-refresh", false, "skip the cached access token")
	cmd.Flags().StringVar(&claims, "claims", "", "claims challenge: JSON, the base64url claims value of a WWW-Authenticate header, or the whole header value")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON with the expiry, scopes, account and source (--output json)")
	cmd.Flags().StringVarP(&output, "output", "o", outputDefault, tokenOutputHelp)
	return cmd
}

type tokenJSON struct {
	AccessToken string       `json:"access_token"`
	TokenType   string       `json:"token_type"`
	ExpiresOn   int64        `json:"expires_on"`
	ExpiresIn   int64        `json:"expires_in"`
	Scopes      []string     `json:"scopes"`
	Account     tokenAccount `json:"account"`
	Source      string       `json:"source"`
}

type tokenAccount struct {
	Username      string `json:"username"`
	HomeAccountID string `json:"home_account_id"`
	TenantID      string `json:"tenant_id"`
}

// splitScopes accepts repeated flags and space-separated lists alike.
func splitScopes(scopes []string) []string {
	var out []string
	for _, s := range scopes {
		out = append(out, strings.Fields(s)...)
	}
	return out
}

// tenantOf is the home tenant of an account, for messages and output.
func tenantOf(homeAccountID string) string { return cache.HomeTenant(homeAccountID) }

// errUnknownAccount means --account names no account in the vault.
var errUnknownAccount = errors.New("no such account in the vault")

// pickAccount resolves --account from the vault's index, or takes the only
// account there is.
func (a *app) pickAccount(ctx context.Context, wanted string) (engine.Account, error) {
	v, err := a.openVault(ctx)
	if err != nil {
		return engine.Account{}, err
	}
	var found []engine.Account
	if wanted != "" {
		summaries, err := a.resolveAccount(ctx, v, wanted)
		if err != nil {
			return engine.Account{}, err
		}
		for _, s := range summaries {
			found = append(found, summaryAccount(s))
		}
		if len(found) == 0 {
			return engine.Account{}, unknownAccount(ctx, v, wanted)
		}
	} else {
		summaries, err := v.Accounts(ctx)
		if err != nil {
			return engine.Account{}, err
		}
		for _, s := range summaries {
			found = append(found, summaryAccount(s))
		}
		if len(found) == 0 {
			return engine.Account{}, interactionError{fmt.Errorf("no account in the vault; sign in with: acctui login")}
		}
	}
	if len(found) > 1 {
		return engine.Account{}, usageError{severalAccountsError{found}}
	}
	return found[0], nil
}

// summaryAccount is the engine's view of an account the vault's index
// knows.
func summaryAccount(s vault.AccountSummary) engine.Account {
	acct := engine.Account{HomeAccountID: s.HomeAccountID, Realms: s.Realms}
	if len(s.Usernames) > 0 {
		acct.Username = s.Usernames[0]
	}
	if len(s.Environments) > 0 {
		acct.Environment = s.Environments[0]
	}
	return acct
}
