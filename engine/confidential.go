package engine

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"acctui/engine/cache"
)

// clientCredentialsGrant is the grant of a service principal acting as
// itself.
const clientCredentialsGrant = "client_credentials"

// AcquireTokenForClient gets an app token for a confidential client
// (MSAL's acquire_token_for_client): from the cache while it is good for
// five more minutes, else from the identity provider with the client's
// credential. App tokens have no refresh token: an expired one is simply
// acquired again. scopes is usually one "<resource>/.default".
// WithForceRefresh and WithClaims skip the cache.
func (c *Client) AcquireTokenForClient(ctx context.Context, scopes []string, opts ...Option) (Result, error) {
	if !c.isConfidential() {
		return Result{}, errors.New("engine: an app token needs a client credential (secret, certificate or federated token)")
	}
	if len(scopes) == 0 {
		return Result{}, errors.New("engine: an app token needs a scope such as https://graph.microsoft.com/.default")
	}
	if err := checkScopes(scopes); err != nil {
		return Result{}, err
	}
	o, err := collectFor("AcquireTokenForClient", clientCredentialOptions, opts)
	if err != nil {
		return Result{}, err
	}
	a, err := c.callAuthority(o)
	if err != nil {
		return Result{}, err
	}
	if a.IsMultiTenant() {
		return Result{}, fmt.Errorf("engine: an app token needs a tenant, not %q: use https://<host>/<tenant id or domain>", a.Tenant)
	}
	var aging *Result
	if !o.forceRefresh && o.claims == "" {
		cached, fresh, err := c.cachedAppToken(ctx, a, scopes)
		if err != nil {
			return Result{}, err
		}
		if cached != nil && fresh {
			return *cached, nil
		}
		aging = cached
	}
	key := strings.Join([]string{"app", a.String(), cache.NormalizeTarget(strings.Join(scopes, " ")), o.claims, fmt.Sprint(o.forceRefresh)}, "\x00")
	v, err, _ := c.flight.Do(key, func() (any, error) {
		if !o.forceRefresh && o.claims == "" {
			if cached, fresh, err := c.cachedAppToken(ctx, a, scopes); err == nil && cached != nil && fresh {
				return *cached, nil
			}
		}
		return c.redeemForClient(ctx, a, scopes, o)
	})
	if err != nil {
		if aging != nil {
			c.log.Debug("engine: early app token renewal failed; serving the cached token", "error", err)
			return *aging, nil
		}
		return Result{}, err
	}
	return v.(Result), nil
}

// cachedAppToken finds an app token (home_account_id "") good for five
// more minutes; fresh is false when its refresh_on has passed.
func (c *Client) cachedAppToken(ctx context.Context, a Authority, scopes []string) (*Result, bool, error) {
	now := c.now()
	q := cache.AccessTokenQuery{Environments: c.environments(a), ClientID: c.cfg.ClientID, Realm: c.realm(ctx, a), Scopes: scopes}
	var result *Result
	fresh := false
	err := c.store.Read(ctx, CacheHint{}, func(cc *cache.Cache) error {
		at, ok := cc.FindAccessToken(q)
		if !ok || time.Unix(at.ExpiresOn, 0).Sub(now) < expiryMargin || at.CachedAt > now.Add(expiryMargin).Unix() {
			return nil
		}
		r := resultFromCache(at, nil, Account{})
		result, fresh = &r, at.RefreshOn == 0 || at.RefreshOn > now.Unix()
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("engine: read cache: %w", err)
	}
	return result, fresh, nil
}

// redeemForClient posts the client credentials grant and caches the app
// token the way MSAL Python does: an AccessToken entry with an empty
// home_account_id, and the app's AppMetadata; no Account, no refresh token.
func (c *Client) redeemForClient(ctx context.Context, a Authority, scopes []string, o callOptions) (Result, error) {
	call := grantCall{authority: a, scopes: scopes, grantType: clientCredentialsGrant,
		form: url.Values{"grant_type": {clientCredentialsGrant}, "scope": {strings.Join(scopes, " ")}}}
	tr, correlationID, err := c.postToken(ctx, call, o)
	if err != nil {
		return Result{}, err
	}
	now := c.now()
	realm := c.realm(ctx, a)
	target := cache.NormalizeTarget(tr.Scope)
	if target == "" {
		target = cache.NormalizeTarget(strings.Join(scopes, " "))
	}
	expiresIn, extExpiresIn, refreshIn := lifetimes(tr, now)
	at := cache.AccessToken{
		Environment: a.Environment, ClientID: c.cfg.ClientID, Realm: realm, Target: target,
		Secret: tr.AccessToken, TokenType: tr.TokenType, CachedAt: now.Unix(),
		ExpiresOn: now.Add(expiresIn).Unix(), ExtendedExpiresOn: now.Add(extExpiresIn).Unix(),
	}
	if refreshIn > 0 {
		at.RefreshOn = now.Add(refreshIn).Unix()
	}
	err = c.store.Write(ctx, CacheHint{}, func(cc *cache.Cache) error {
		if err := cc.SaveAccessToken(at); err != nil {
			return err
		}
		return cc.SaveAppMetadata(cache.AppMetadata{ClientID: c.cfg.ClientID, Environment: a.Environment})
	})
	if err != nil {
		return Result{}, fmt.Errorf("engine: save app token: %w", err)
	}
	r := resultFromCache(at, nil, Account{})
	r.Source, r.CorrelationID = SourceIdentityProvider, correlationID
	return r, nil
}

// RemoveTokensForClient deletes the client's app tokens from the cache
// (MSAL's remove_tokens_for_client), for signing a service principal out.
func (c *Client) RemoveTokensForClient(ctx context.Context) error {
	envs := c.environments(c.authority)
	err := c.store.Write(ctx, CacheHint{}, func(cc *cache.Cache) error {
		for _, at := range cc.FindAccessTokens(cache.AccessTokenQuery{Environments: envs, ClientID: c.cfg.ClientID}) {
			cc.RemoveAccessToken(at)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("engine: remove app tokens: %w", err)
	}
	return nil
}
