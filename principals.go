package main

import (
	"context"

	"acctui/engine/cache"
	"acctui/principals"
	"acctui/vault"
)

// principal is a service principal or managed identity (package
// principals keeps them, for the command line and the TUI alike).
type principal = principals.Principal

// The kinds of accounts that are not people.
const (
	kindServicePrincipal = principals.KindServicePrincipal
	kindManagedIdentity  = principals.KindManagedIdentity
)

// readPrincipals reads the list from a cache holding the shared record.
func readPrincipals(c *cache.Cache) ([]principal, error) { return principals.Read(c) }

// listPrincipals lists the vault's service principals and managed identities.
func listPrincipals(ctx context.Context, v *vault.Vault) ([]principal, error) {
	return principals.List(ctx, v)
}

// findPrincipal finds the principal name refers to; ok is false when none
// does (name may be a person's account).
func (a *app) findPrincipal(ctx context.Context, name string) (principal, bool, error) {
	v, err := a.openVault(ctx)
	if err != nil {
		return principal{}, false, err
	}
	list, err := listPrincipals(ctx, v)
	if err != nil {
		return principal{}, false, err
	}
	var found []principal
	for _, p := range list {
		if name == "" || p.Matches(name) {
			found = append(found, p)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], true, nil
	case len(found) > 1 && name != "":
		return principal{}, false, usagef("%q names several service principals (one per tenant); remove the others or pass --tenant", name)
	}
	return principal{}, false, nil
}

// savePrincipal stores p and the app tokens acquired for it in one write.
func savePrincipal(ctx context.Context, v *vault.Vault, p principal, tokens []cache.AccessToken) error {
	return principals.Save(ctx, v, p, tokens)
}

// removePrincipal deletes p, its credential and its app tokens.
func removePrincipal(ctx context.Context, v *vault.Vault, p principal) error {
	return principals.Remove(ctx, v, p)
}
