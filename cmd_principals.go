package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/internal/safetext"
	"acctui/overview"
	"acctui/principals"
	"acctui/vault"
)

// principalJSON is a service principal or managed identity in accounts
// --json, beside the people (who have no "kind").
type principalJSON struct {
	Kind       string    `json:"kind"`
	Username   string    `json:"username"`
	ClientID   string    `json:"client_id,omitempty"`
	ObjectID   string    `json:"object_id,omitempty"`
	ResourceID string    `json:"resource_id,omitempty"`
	TenantID   string    `json:"tenant_id,omitempty"`
	Credential string    `json:"credential,omitempty"`
	Status     string    `json:"status"`
	ExpiresOn  time.Time `json:"expires_on,omitzero"`
	// Active marks the active account (acctui use), as for people.
	Active bool `json:"active"`
}

// principalOverview lists the principals of a cache holding the shared
// record, with the state of their latest cached token.
func principalOverview(c *cache.Cache, now time.Time) []principalJSON {
	list, err := readPrincipals(c)
	if err != nil {
		return nil
	}
	active, isActive, _ := principals.ActiveOf(c)
	out := make([]principalJSON, 0, len(list))
	for _, p := range list {
		j := principalJSON{Kind: p.Kind, Username: p.Name(), ClientID: p.ClientID, ObjectID: p.ObjectID,
			ResourceID: p.ResourceID, TenantID: p.Tenant, Credential: p.Credential, Status: "no token",
			Active: isActive && active.Same(p)}
		if at, ok := c.FindAccessToken(cache.AccessTokenQuery{ClientID: p.CacheClientID()}); ok {
			j.ExpiresOn = time.Unix(at.ExpiresOn, 0)
			j.Status = string(overview.StatusExpired)
			if j.ExpiresOn.After(now) {
				j.Status = string(overview.StatusValid)
			}
		}
		out = append(out, j)
	}
	return out
}

// printPrincipals lists apps and identities after the people.
func printPrincipals(w io.Writer, apps []principalJSON, now time.Time, afterPeople bool) {
	for i, p := range apps {
		if i > 0 || afterPeople {
			fmt.Fprintln(w)
		}
		state := p.Status
		if p.Status == string(overview.StatusValid) {
			state = fmt.Sprintf("valid, %s left", overview.HumanDuration(p.ExpiresOn.Sub(now)))
		}
		kind := principal{Kind: p.Kind, Credential: p.Credential, ClientID: p.ClientID, ObjectID: p.ObjectID, ResourceID: p.ResourceID}.KindText()
		mark := ""
		if p.Active {
			mark = "  (active)"
		}
		fmt.Fprintf(w, "%s  %s  %s%s\n", safetext.Line(p.Username), kind, state, mark)
		if p.TenantID != "" {
			fmt.Fprintf(w, "  tenant %s\n", safetext.Line(p.TenantID))
		}
	}
}

// principalTokenResult gets the token for a service principal or managed
// identity: the one --account names, or the only account there is. ok is
// false (and err nil) when the account is a person's. acct carries the
// principal's name and tenant for the output writers.
func (a *app) principalTokenResult(ctx context.Context, account string, scopes []string, force bool) (result engine.Result, acct engine.Account, ok bool, err error) {
	p, ok, err := a.principalFor(ctx, account)
	if err != nil || !ok {
		return engine.Result{}, engine.Account{}, false, err
	}
	if a.vault != nil {
		// the token command kept the file open for a person's token read;
		// an app's token may go to the network first
		a.vault.ReleaseHeld()
	}
	scopes = splitScopes(scopes)
	if len(scopes) != 1 {
		return engine.Result{}, engine.Account{}, true, usagef("an app or managed identity token is for one resource: pass one --scope")
	}
	result, err = a.principalToken(ctx, p, a.vault, scopes, force)
	if err != nil {
		return engine.Result{}, engine.Account{}, true, err
	}
	a.log.Debug("token", "principal", p, "source", string(result.Source), "expires_on", result.ExpiresOn)
	return result, engine.Account{Username: p.Name(), Realm: p.Tenant}, true, nil
}

// principalFor finds the principal account names; with no name, the
// active principal (acctui use), else the only principal when the vault
// has no people.
func (a *app) principalFor(ctx context.Context, account string) (principal, bool, error) {
	if account != "" {
		return a.findPrincipal(ctx, account)
	}
	v, err := a.openVault(ctx)
	if err != nil {
		return principal{}, false, err
	}
	if p, ok, err := a.activePrincipal(ctx, v); err != nil || ok {
		return p, ok, err
	}
	people, err := v.Accounts(ctx)
	if err != nil || len(people) > 0 {
		return principal{}, false, err
	}
	list, err := listPrincipals(ctx, v)
	if err != nil || len(list) == 0 {
		return principal{}, false, err
	}
	if len(list) > 1 {
		names := make([]string, len(list))
		for i, p := range list {
			names[i] = safetext.Line(p.Name())
		}
		return principal{}, false, usagef("several apps and identities are signed in; pass --account with one of: %s", strings.Join(names, ", "))
	}
	return list[0], true, nil
}

// logoutPrincipal removes a service principal or managed identity, its
// credential and its tokens. handled is false when name is a person's.
func (a *app) logoutPrincipal(ctx context.Context, name string, yes bool) (handled bool, err error) {
	p, ok, err := a.findPrincipal(ctx, name)
	if err != nil || !ok {
		return err != nil, err
	}
	if !yes {
		if !a.stdinTTY {
			return true, usagef("removing %s needs confirmation: pass --yes (standard input is not a terminal)", p.Name())
		}
		ok, err := confirm(a.stdin, a.stderr, fmt.Sprintf("Remove %s %s, its credential and its tokens?", p.KindText(), safetext.Line(p.Name())))
		if err != nil {
			return true, err
		}
		if !ok {
			fmt.Fprintln(a.stderr, "Nothing removed.")
			return true, nil
		}
	}
	if err := removePrincipal(ctx, a.vault, p); err != nil {
		return true, err
	}
	fmt.Fprintf(a.stderr, "Removed %s %s.\n", p.KindText(), safetext.Line(p.Name()))
	return true, nil
}

// activePrincipal is the principal acctui use made active. A person's
// active mark wins over it: acctui use keeps one of the two, and a person
// made active elsewhere (the TUI) is the newer choice.
func (a *app) activePrincipal(ctx context.Context, v *vault.Vault) (principal, bool, error) {
	if home, err := v.ActiveAccount(ctx); err != nil || home != "" {
		return principal{}, false, err
	}
	return principals.Active(ctx, v)
}
