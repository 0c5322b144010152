package engine

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"acctui/engine/cache"
)

// ResultSource says where a Result came from: a string enum, not a
// provider of tokens (as oauth2.TokenSource is).
type ResultSource string

// The sources of a Result.
const (
	// SourceCache is an access token read from the cache.
	SourceCache ResultSource = "cache"
	// SourceIdentityProvider is a token the identity provider just issued.
	SourceIdentityProvider ResultSource = "identity_provider"
)

// Account is a signed-in user, one per home account.
type Account struct {
	// HomeAccountID is "<oid>.<tid>" of the user's home tenant.
	HomeAccountID string
	// Environment is the cloud host the account was cached under.
	Environment string
	Username    string
	// Realm is the tenant of the Account entry (its home tenant when known).
	Realm          string
	LocalAccountID string
	AuthorityType  string
	AccountSource  string
	// Realms lists every tenant the account has entries in.
	Realms []string
	// Issuer is a generic OpenID Connect provider's issuer, shown where
	// an Entra account shows its tenant; empty for Microsoft accounts.
	Issuer string
}

// Result is a token and what goes with it. It prints without secrets.
type Result struct {
	AccessToken Secret
	TokenType   string
	ExpiresOn   time.Time
	// ExtExpiresOn is how long the token stays good during an outage.
	ExtExpiresOn time.Time
	// RefreshOn, when set, is when a silent call renews the token early.
	RefreshOn time.Time
	// Scopes are the scopes the token is good for.
	Scopes        []string
	IDToken       Secret
	IDTokenClaims map[string]any
	Account       Account
	Source        ResultSource
	CorrelationID string
}

// String describes the result without its tokens.
func (r Result) String() string {
	return fmt.Sprintf("engine.Result{Account: %s, Scopes: %s, ExpiresOn: %s, Source: %s, AccessToken: [redacted]}",
		r.Account.Username, strings.Join(r.Scopes, " "), r.ExpiresOn.UTC().Format(time.RFC3339), r.Source)
}

// GoString is String, for %#v.
func (r Result) GoString() string { return r.String() }

// Format is String for every verb.
func (r Result) Format(f fmt.State, _ rune) { fmt.Fprint(f, r.String()) }

// LogValue is String, for log/slog.
func (r Result) LogValue() slog.Value { return slog.StringValue(r.String()) }

// resultFromCache builds a result from cached entries.
func resultFromCache(at cache.AccessToken, idt *cache.IDToken, acct Account) Result {
	r := Result{
		AccessToken: at.Secret, TokenType: at.TokenType, ExpiresOn: time.Unix(at.ExpiresOn, 0),
		Scopes: strings.Fields(at.Target), Account: acct, Source: SourceCache,
	}
	if r.TokenType == "" {
		r.TokenType = "Bearer"
	}
	if at.ExtendedExpiresOn > 0 {
		r.ExtExpiresOn = time.Unix(at.ExtendedExpiresOn, 0)
	}
	if at.RefreshOn > 0 {
		r.RefreshOn = time.Unix(at.RefreshOn, 0)
	}
	if idt != nil {
		r.IDToken = idt.Secret
		if decoded, err := DecodeClaimsUnverified(idt.Secret.Reveal()); err == nil {
			r.IDTokenClaims = decoded.Claims
		}
	}
	return r
}

// accountFromEntry turns a cache entry into an Account.
func accountFromEntry(a cache.Account) Account {
	return Account{
		HomeAccountID: a.HomeAccountID, Environment: a.Environment, Username: a.Username, Realm: a.Realm,
		LocalAccountID: a.LocalAccountID, AuthorityType: a.AuthorityType, AccountSource: a.AccountSource,
		Realms: []string{a.Realm},
	}
}
