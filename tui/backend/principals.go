package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/overview"
	"acctui/principals"
)

// PrincipalTokenFunc acquires an app token for a service principal or
// managed identity into store (from its cache unless force).
type PrincipalTokenFunc func(ctx context.Context, p principals.Principal, store engine.CacheStore, scopes []string, force bool) (engine.Result, error)

// PrincipalAddFunc signs in a service principal or managed identity and
// keeps it in the vault (the command line's own login).
type PrincipalAddFunc func(ctx context.Context, req PrincipalRequest) (engine.Result, error)

// AddPrincipal signs an app or identity in through the configured function.
func (e *Engine) AddPrincipal(ctx context.Context, req PrincipalRequest) (engine.Result, error) {
	if e.addPrincipal == nil {
		return engine.Result{}, errors.New("this TUI cannot add apps or identities: use acctui login --service-principal or --identity")
	}
	return e.addPrincipal(ctx, req)
}

// ErrPrincipalNotActive refuses to make an app or identity the active
// account: the active account is a person the commands act as.
var ErrPrincipalNotActive = errors.New("an app or managed identity cannot be the active account: pass --account to acctui token")

// isPrincipalID reports whether a row id names a principal (principals.ID)
// rather than a person's home account.
func isPrincipalID(id string) bool { return strings.HasPrefix(id, "principal|") }

// principalRows lists the principals of a cache holding the shared record
// as account rows: named by their id, with their latest app token.
func principalRows(c *cache.Cache, now time.Time) ([]overview.Account, error) {
	list, err := principals.Read(c)
	if err != nil {
		return nil, err
	}
	rows := make([]overview.Account, 0, len(list))
	for _, p := range list {
		a := overview.Account{HomeAccountID: p.ID(), Username: p.Name(), TenantID: p.Tenant,
			Principal: p.KindText(), Status: overview.StatusRefreshable}
		if p.Tenant != "" {
			a.Place = "tenant " + p.Tenant
		}
		for _, at := range appTokens(c, p) {
			exp := time.Unix(at.ExpiresOn, 0)
			st := overview.StatusValid
			switch left := exp.Sub(now); {
			case left <= 0:
				st = overview.StatusExpired
			case left < overview.ExpiringWithin:
				st = overview.StatusExpiring
			}
			a.Environment = at.Environment
			a.Tokens = append(a.Tokens, overview.Token{Kind: overview.KindAccess, ClientID: at.ClientID, Environment: at.Environment,
				Realm: at.Realm, Scopes: strings.Fields(at.Target), ExpiresOn: exp, Status: st})
			if st != overview.StatusExpired && exp.After(a.ExpiresOn) {
				a.Status, a.ExpiresOn = overview.StatusValid, exp
			}
		}
		rows = append(rows, a)
	}
	return rows, nil
}

// principal finds the principal a row id names.
func (e *Engine) principal(ctx context.Context, id string) (principals.Principal, error) {
	list, err := principals.List(ctx, e.store)
	if err != nil {
		return principals.Principal{}, err
	}
	for _, p := range list {
		if p.ID() == id {
			return p, nil
		}
	}
	return principals.Principal{}, fmt.Errorf("that app or identity is no longer in the vault: %w", engine.ErrNoAccount)
}

// appToken is the principal's latest cached app token and its resource
// scope, if any.
func (e *Engine) appToken(ctx context.Context, p principals.Principal) (raw, scope string, err error) {
	var latest int64
	err = e.store.Read(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		for _, at := range appTokens(c, p) {
			if at.ExpiresOn >= latest {
				latest, raw, scope = at.ExpiresOn, at.Secret.Reveal(), at.Target
			}
		}
		return nil
	})
	return raw, scope, err
}

// refreshPrincipal re-acquires the principal's token with its stored
// credential, for the resource of its cached token (else the first of the
// backend's scopes turned into a resource's .default).
func (e *Engine) refreshPrincipal(ctx context.Context, id string, force bool) (engine.Result, error) {
	if e.principalToken == nil {
		return engine.Result{}, errors.New("this TUI cannot refresh apps or identities: use acctui token --account")
	}
	p, err := e.principal(ctx, id)
	if err != nil {
		return engine.Result{}, err
	}
	_, scope, err := e.appToken(ctx, p)
	if err != nil {
		return engine.Result{}, err
	}
	if scope == "" {
		scope = resourceScope(e.scopes)
	}
	if scope == "" {
		return engine.Result{}, errors.New("no resource to ask a token for: sign it in again with acctui login --scope")
	}
	return e.principalToken(ctx, p, e.store, strings.Fields(scope)[:1], force)
}

// resourceScope is the first scope as a resource's .default, the only
// form an app token takes.
func resourceScope(scopes []string) string {
	for _, s := range scopes {
		for _, f := range strings.Fields(s) {
			if strings.HasSuffix(f, "/.default") {
				return f
			}
		}
	}
	return ""
}

// appTokenClaims decodes the principal's cached app token (appid, roles,
// oid) without verifying it; it never returns the token.
func (e *Engine) appTokenClaims(ctx context.Context, id string) (map[string]any, error) {
	p, err := e.principal(ctx, id)
	if err != nil {
		return nil, err
	}
	raw, _, err := e.appToken(ctx, p)
	if err != nil || raw == "" {
		return nil, err
	}
	jwt, err := engine.DecodeClaimsUnverified(raw)
	if err != nil {
		return nil, fmt.Errorf("app token: %w", err)
	}
	return jwt.Claims, nil
}

// appTokens are the app tokens cached for the principal (no person's
// token, even one issued to the same client id).
func appTokens(c *cache.Cache, p principals.Principal) []cache.AccessToken {
	var out []cache.AccessToken
	for _, at := range c.FindAccessTokens(cache.AccessTokenQuery{ClientID: p.CacheClientID()}) {
		if at.HomeAccountID == "" {
			out = append(out, at)
		}
	}
	return out
}
