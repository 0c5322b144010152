package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"acctui/engine/cache"
)

// Accounts lists the signed-in accounts of the authority's cloud, one per
// home account whatever the number of tenants it has tokens in.
// WithUsername filters by username, ignoring case.
func (c *Client) Accounts(ctx context.Context, opts ...Option) ([]Account, error) {
	o, err := collectFor("Accounts", accountsOptions, opts)
	if err != nil {
		return nil, err
	}
	a, err := c.callAuthority(o)
	if err != nil {
		return nil, err
	}
	envs := map[string]bool{}
	for _, e := range c.environments(a) {
		envs[e] = true
	}
	byHome := map[string][]cache.Account{}
	var order []string
	err = c.store.Read(ctx, CacheHint{}, func(cc *cache.Cache) error {
		for _, entry := range cc.Accounts() {
			if !envs[strings.ToLower(entry.Environment)] || !a.Owns(entry.HomeAccountID) {
				continue
			}
			if o.username != "" && !strings.EqualFold(entry.Username, o.username) {
				continue
			}
			key := strings.ToLower(entry.HomeAccountID)
			if _, seen := byHome[key]; !seen {
				order = append(order, key)
			}
			byHome[key] = append(byHome[key], entry)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("engine: read cache: %w", err)
	}
	out := make([]Account, 0, len(order))
	for _, key := range order {
		acct := mergeAccountEntries(byHome[key])
		acct.Issuer = a.Issuer
		out = append(out, acct)
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Username) < strings.ToLower(out[j].Username) })
	return out, nil
}

// mergeAccountEntries makes one Account from a home account's entries in
// several realms, preferring the home tenant's entry.
func mergeAccountEntries(entries []cache.Account) Account {
	best := entries[0]
	homeTenant := cache.HomeTenant(best.HomeAccountID)
	for _, e := range entries {
		if strings.EqualFold(e.Realm, homeTenant) {
			best = e
			break
		}
	}
	acct := accountFromEntry(best)
	acct.Realms = nil
	seen := map[string]bool{}
	for _, e := range entries {
		if r := strings.ToLower(e.Realm); !seen[r] {
			seen[r] = true
			acct.Realms = append(acct.Realms, e.Realm)
		}
		if acct.Username == "" {
			acct.Username = e.Username
		}
	}
	sort.Strings(acct.Realms)
	return acct
}

// RemoveAccount signs the account out of this app as MSAL Python does:
// it removes the app's (and its family's) refresh tokens, every access and
// ID token and the Account entries of that home account in this cloud.
// Other apps' refresh tokens stay.
func (c *Client) RemoveAccount(ctx context.Context, account Account) error {
	if account.HomeAccountID == "" {
		return ErrNoAccount
	}
	envs := c.environments(c.authority)
	if account.Environment != "" && !hasString(envs, strings.ToLower(account.Environment)) {
		envs = append(envs, strings.ToLower(account.Environment))
	}
	err := c.store.Write(ctx, CacheHint{HomeAccountID: account.HomeAccountID}, func(cc *cache.Cache) error {
		familyID := ""
		if meta, ok := cc.FindAppMetadata(c.cfg.ClientID, envs); ok {
			familyID = meta.FamilyID
		}
		cc.RemoveAccountData(account.HomeAccountID, envs, c.cfg.ClientID, familyID)
		return nil
	})
	if err != nil {
		return fmt.Errorf("engine: remove account: %w", err)
	}
	return nil
}
