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
// does (name may be a person's account). It looks name up among people in
// the same read of the vault and keeps that answer for the pickAccount
// that follows when it is not a principal's (resolveAccount).
func (a *app) findPrincipal(ctx context.Context, name string) (principal, bool, error) {
	v, err := a.openVault(ctx)
	if err != nil {
		return principal{}, false, err
	}
	a.resolved = nil
	var list []principal
	if name == "" {
		list, err = listPrincipals(ctx, v)
	} else {
		var res vault.Resolution
		res, err = v.ReadMetadataResolving(ctx, name, []string{principals.Key}, func(c *cache.Cache) error {
			var err error
			list, err = readPrincipals(c)
			return err
		})
		if err == nil {
			a.resolved = &resolvedName{name: name, Resolution: res}
		}
	}
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

// resolvedName is a name findPrincipal looked up among people, with the
// answer, for the pickAccount that follows.
type resolvedName struct {
	name string
	vault.Resolution
}

// resolveAccount is v.ResolveAccount(wanted), or, once, the answer
// findPrincipal's read got for the same name: every command that asks
// whether a name is a service principal (token, git-credential, use,
// logout) looks it up among people right after, with no write between,
// so one read of the vault serves both.
func (a *app) resolveAccount(ctx context.Context, v *vault.Vault, wanted string) ([]vault.AccountSummary, error) {
	if r := a.resolved; r != nil {
		a.resolved = nil
		if r.name == wanted {
			return r.Summaries, r.Err
		}
	}
	return v.ResolveAccount(ctx, wanted)
}

// savePrincipal stores p and the app tokens acquired for it in one write.
func savePrincipal(ctx context.Context, v *vault.Vault, p principal, tokens []cache.AccessToken) error {
	return principals.Save(ctx, v, p, tokens)
}

// removePrincipal deletes p, its credential and its app tokens.
func removePrincipal(ctx context.Context, v *vault.Vault, p principal) error {
	return principals.Remove(ctx, v, p)
}
