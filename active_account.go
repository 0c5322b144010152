package main

import (
	"context"
	"fmt"

	"acctui/internal/safetext"
	"acctui/overview"
)

// defaultAccountName is the account other tools should use by default:
// the only one in the vault.
func (a *app) defaultAccountName(_ context.Context, accounts []overview.Account) (string, error) {
	if len(accounts) == 1 {
		return accounts[0].Username, nil
	}
	return "", nil
}

// afterAzureCLIImport tells which account az used by default.
func (a *app) afterAzureCLIImport(_ context.Context, azDefault string) {
	fmt.Fprintf(a.stderr, "az's default account is %s.\n", safetext.Line(azDefault))
}
