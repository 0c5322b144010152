package main

import (
	"context"
	"fmt"
	"strings"

	"acctui/internal/safetext"
	"acctui/overview"
	"acctui/principals"
)

// defaultAccountName is the account other tools should use by default:
// the active one, else the only one in the vault.
func (a *app) defaultAccountName(ctx context.Context, accounts []overview.Account) (string, error) {
	v, err := a.openVault(ctx)
	if err != nil {
		return "", err
	}
	if acct, ok, err := a.activeAccount(ctx, v); err != nil || ok {
		return acct.Username, err
	}
	if len(accounts) == 1 {
		return accounts[0].Username, nil
	}
	return "", nil
}

// afterAzureCLIImport makes az's default account the active one when
// none is active yet and the vault has exactly one account (or service
// principal) of that name.
func (a *app) afterAzureCLIImport(ctx context.Context, azDefault string) {
	v, err := a.openVault(ctx)
	if err != nil {
		return
	}
	if _, ok, err := a.activeAccount(ctx, v); err != nil || ok {
		return
	}
	if _, ok, err := principals.Active(ctx, v); err != nil || ok {
		return
	}
	summaries, err := v.ResolveAccount(ctx, azDefault)
	if err == nil && len(summaries) == 0 {
		// az's default may be a service principal it signed in
		if p, ok, err := a.findPrincipal(ctx, strings.TrimSpace(azDefault)); err == nil && ok && p.Kind == kindServicePrincipal &&
			principals.SetActive(ctx, v, p) == nil {
			fmt.Fprintf(a.stderr, "Active account: %s %s (az's default).\n", p.KindText(), safetext.Line(p.Name()))
		}
		return
	}
	if err != nil || len(summaries) != 1 {
		return
	}
	if err := v.SetActiveAccount(ctx, summaries[0].HomeAccountID); err != nil {
		return
	}
	fmt.Fprintf(a.stderr, "Active account: %s (az's default).\n", safetext.Line(strings.TrimSpace(azDefault)))
}
