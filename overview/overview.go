// Package overview summarises a token cache for people: every account with
// each of its cached tokens and the state of each (valid, expiring,
// expired). The command line's accounts listing and the TUI both show it.
// It never exposes a token's value.
package overview

import (
	"strings"
	"time"

	"acctui/engine/cache"
)

// ExpiringWithin is when a valid access token counts as expiring: the
// engine no longer serves a token this close to expiry, it refreshes it.
const ExpiringWithin = 5 * time.Minute

// Status is the state of a token or an account.
type Status string

// The states, readable without colour.
const (
	StatusValid    Status = "valid"
	StatusExpiring Status = "expiring"
	StatusExpired  Status = "expired"
	// StatusRefreshable is an account with no valid access token but a
	// refresh token: a silent refresh should work.
	StatusRefreshable Status = "refreshable"
	// StatusSignInNeeded is an account with nothing to refresh with.
	StatusSignInNeeded Status = "sign-in needed"
	// StatusHeld is a refresh token: it has no expiry the client can see.
	StatusHeld Status = "held"
)

// Kind is the kind of a cached token.
type Kind string

// The token kinds.
const (
	KindAccess  Kind = "access_token"
	KindRefresh Kind = "refresh_token"
	KindID      Kind = "id_token"
)

// Token describes one cached token without its value.
type Token struct {
	Kind        Kind      `json:"kind"`
	ClientID    string    `json:"client_id"`
	Environment string    `json:"environment"`
	Realm       string    `json:"realm,omitempty"`
	Scopes      []string  `json:"scopes,omitempty"`
	FamilyID    string    `json:"family_id,omitempty"`
	ExpiresOn   time.Time `json:"expires_on,omitzero"`
	Status      Status    `json:"status"`
}

// Account is one home account and its tokens.
type Account struct {
	HomeAccountID string   `json:"home_account_id"`
	Username      string   `json:"username"`
	Name          string   `json:"name,omitempty"`
	TenantID      string   `json:"tenant_id"`
	Environment   string   `json:"environment"`
	Realms        []string `json:"realms"`
	// Status sums the account up: valid when it has a valid access token,
	// else refreshable, else sign-in needed.
	Status Status `json:"status"`
	// ExpiresOn is the latest expiry of its valid access tokens.
	ExpiresOn time.Time `json:"expires_on,omitzero"`
	Tokens    []Token   `json:"tokens"`

	// Place says where the account lives (see Place), for a reader that
	// knows the authority (the TUI's backend sets it); "" when unknown.
	Place string `json:"-"`
	// AuthorityLabel is the authority type when it is not plain Entra ("B2C",
	// "AD FS", "External ID", "OpenID Connect"); Issuer is a generic
	// provider's issuer, which stands for the tenant. Set with Place.
	AuthorityLabel string `json:"-"`
	Issuer         string `json:"-"`
	// Principal is the kind, for people, of an account that is not a person
	// ("app (secret)", "managed identity (system-assigned)"); "" for a
	// person. Such an account's HomeAccountID is its principals.ID.
	Principal string `json:"-"`
}

// Build lists the accounts of a cache, sorted by username.
func Build(c *cache.Cache, now time.Time) []Account {
	var entries []Entry
	seen := map[string]bool{}
	for _, a := range c.Accounts() {
		home := strings.ToLower(a.HomeAccountID)
		if !seen[home] {
			seen[home] = true
			entries = append(entries, EntriesOf(c, a.HomeAccountID)...)
		}
	}
	return Assemble(entries, now)
}

func statusAt(expires, now time.Time) Status {
	switch left := expires.Sub(now); {
	case left <= 0:
		return StatusExpired
	case left < ExpiringWithin:
		return StatusExpiring
	default:
		return StatusValid
	}
}

func summarise(tokens []Token) (Status, time.Time) {
	var latest time.Time
	refreshable := false
	for _, t := range tokens {
		switch {
		case t.Kind == KindAccess && t.Status == StatusValid && t.ExpiresOn.After(latest):
			latest = t.ExpiresOn
		case t.Kind == KindRefresh:
			refreshable = true
		}
	}
	switch {
	case !latest.IsZero():
		return StatusValid, latest
	case refreshable:
		return StatusRefreshable, time.Time{}
	default:
		return StatusSignInNeeded, time.Time{}
	}
}

func appendUnique(list []string, s string) []string {
	for _, have := range list {
		if strings.EqualFold(have, s) {
			return list
		}
	}
	return append(list, s)
}
