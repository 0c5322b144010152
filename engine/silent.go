package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"acctui/engine/cache"
)

// expiryMargin is how close to expiry a cached access token stops being
// served: MSAL's five minutes, so a token does not expire in flight.
const expiryMargin = 5 * time.Minute

// AcquireTokenSilent returns a token for the account without user
// interaction: a cached access token when one is valid for the scopes, else
// a refresh through the app's or its family's refresh tokens. A cache with
// nothing to use gives ErrNoToken; a refusal from the identity provider
// gives *Error (see IsInteractionRequired).
func (c *Client) AcquireTokenSilent(ctx context.Context, scopes []string, account Account, opts ...Option) (Result, error) {
	if account.HomeAccountID == "" {
		return Result{}, ErrNoAccount
	}
	if err := checkScopes(scopes); err != nil {
		return Result{}, err
	}
	o, err := collectFor("AcquireTokenSilent", silentOptions, opts)
	if err != nil {
		return Result{}, err
	}
	a, err := c.callAuthority(o)
	if err != nil {
		return Result{}, err
	}
	var aging *Result
	if !o.forceRefresh && o.claims == "" {
		cached, fresh, err := c.cachedToken(ctx, a, scopes, account, "")
		if err != nil {
			return Result{}, err
		}
		if cached != nil && fresh {
			return *cached, nil
		}
		aging = cached
	}
	if o.correlationID == "" {
		// one id for the whole silent call, whichever refresh tokens it
		// tries; made only now, as a token from the cache sends nothing
		o.correlationID = newCorrelationID()
	}
	var seen string
	if o.forceRefresh {
		// what the cache holds now; a forced refresh may serve only a
		// token another process stores after this point
		if seen, err = c.cachedSecret(ctx, a, scopes, account); err != nil {
			return Result{}, err
		}
	}
	result, err := c.refreshShared(ctx, a, scopes, account, o, seen)
	if err != nil && aging != nil {
		// refresh_on passed but the token is still valid: MSAL serves it
		// when the early refresh fails.
		c.log.Debug("engine: early refresh failed; serving the cached token", "error", err)
		return *aging, nil
	}
	return result, err
}

// callAuthority is the call's authority, or the client's.
func (c *Client) callAuthority(o callOptions) (Authority, error) {
	if o.authority == "" {
		return c.authority, nil
	}
	return c.parseAuthority(o.authority)
}

// parseAuthority reads another authority of the client's provider: an
// issuer for a generic OpenID Connect client, else a Microsoft authority.
func (c *Client) parseAuthority(raw string) (Authority, error) {
	if c.authority.Kind == KindOIDC {
		return ParseOIDCAuthority(raw)
	}
	return ParseAuthority(raw)
}

// cachedToken finds a usable access token other than the one whose secret
// is notSecret ("" excludes none). fresh is false when the token is valid
// but its refresh_on has passed ("aging").
//
// It reads the account narrowed to the call's realm (cache.Hint.Realm)
// when that gives the Result a whole read would: the token and ID token
// are looked up in that realm, and the account part needs the home
// tenant's Account entry (which the narrowed view keeps) with a username,
// and the list of the account's tenants, taken from the caller's Account
// (as Accounts and the vault's summaries fill it) plus those read. Without
// them it reads the whole account.
func (c *Client) cachedToken(ctx context.Context, a Authority, scopes []string, account Account, notSecret string) (*Result, bool, error) {
	realm := c.realm(ctx, a)
	if realm != "" && len(account.Realms) > 0 {
		result, fresh, whole, err := c.cachedTokenIn(ctx, a, realm, realm, scopes, account, notSecret)
		if err != nil || !whole {
			return result, fresh, err
		}
	}
	result, fresh, _, err := c.cachedTokenIn(ctx, a, realm, "", scopes, account, notSecret)
	return result, fresh, err
}

// cachedTokenIn is cachedToken reading the account narrowed to narrow ("":
// the whole account); needWhole reports a narrowed view that cannot give
// the whole account's Result.
func (c *Client) cachedTokenIn(ctx context.Context, a Authority, realm, narrow string, scopes []string, account Account, notSecret string) (result *Result, fresh, needWhole bool, err error) {
	now := c.now()
	envs := c.environments(a)
	err = c.store.Read(ctx, CacheHint{HomeAccountID: account.HomeAccountID, Realm: narrow}, func(cc *cache.Cache) error {
		at, ok := cc.FindAccessToken(cache.AccessTokenQuery{
			HomeAccountID: account.HomeAccountID, Environments: envs, ClientID: c.cfg.ClientID,
			Realm: realm, Scopes: scopes,
		})
		if !ok || time.Unix(at.ExpiresOn, 0).Sub(now) < expiryMargin || at.CachedAt > now.Add(expiryMargin).Unix() ||
			(notSecret != "" && at.Secret.Reveal() == notSecret) {
			return nil
		}
		var idt *cache.IDToken
		if found, ok := cc.FindIDToken(cache.IDTokenQuery{HomeAccountID: account.HomeAccountID, Environments: envs,
			ClientID: c.cfg.ClientID, Realm: realm}); ok {
			idt = &found
		}
		acct := account
		entries := cc.FindAccounts(cache.AccountQuery{HomeAccountID: account.HomeAccountID, Environments: envs})
		if narrow != "" {
			if !hasHomeEntry(entries) {
				needWhole = true
				return nil
			}
			acct = mergeAccountEntries(entries)
			acct.Realms = unionRealms(acct.Realms, account.Realms)
		} else if len(entries) > 0 {
			acct = mergeAccountEntries(entries)
		}
		r := resultFromCache(at, idt, acct)
		result = &r
		fresh = at.RefreshOn == 0 || at.RefreshOn > now.Unix()
		return nil
	})
	if err != nil {
		return nil, false, false, fmt.Errorf("engine: read cache: %w", err)
	}
	return result, fresh, needWhole, nil
}

// refreshShared runs one refresh for every concurrent caller asking the
// same thing, so a burst of calls sends one request: in this process
// through the single flight, across processes through the store's account
// lock. Inside both it looks at the cache again, because whoever held them
// before may have just refreshed. A forced refresh accepts only a token
// other than seen, the one the cache held when the call began: one that
// another process fetched while this call waited for it.
func (c *Client) refreshShared(ctx context.Context, a Authority, scopes []string, account Account, o callOptions, seen string) (Result, error) {
	key := strings.Join([]string{a.String(), account.HomeAccountID, cache.NormalizeTarget(strings.Join(scopes, " ")),
		o.claims, fmt.Sprint(o.forceRefresh)}, "\x00")
	v, err, _ := c.flight.Do(key, func() (any, error) {
		unlock := c.lockAccount(ctx, account.HomeAccountID)
		defer unlock()
		if o.claims == "" {
			if cached, fresh, err := c.cachedToken(ctx, a, scopes, account, seen); err == nil && cached != nil && fresh {
				return *cached, nil
			}
		}
		return c.refreshWithCache(ctx, a, scopes, account, o)
	})
	if err != nil {
		return Result{}, err
	}
	return v.(Result), nil
}

// refreshWithCache tries the account's refresh tokens the way MSAL Python
// does: family tokens first when the app is in the family or has never been
// seen (stopping on client_mismatch), then the app's own. Refresh tokens are
// never deleted on failure: one may still work for other scopes or tenants.
func (c *Client) refreshWithCache(ctx context.Context, a Authority, scopes []string, account Account, o callOptions) (Result, error) {
	envs := c.environments(a)
	var appMeta cache.AppMetadata
	var hasMeta bool
	var family, own []cache.RefreshToken
	// refresh tokens and app metadata have no realm: any realm narrows
	hint := CacheHint{HomeAccountID: account.HomeAccountID, Realm: c.realm(ctx, a)}
	err := c.store.Read(ctx, hint, func(cc *cache.Cache) error {
		appMeta, hasMeta = cc.FindAppMetadata(c.cfg.ClientID, envs)
		family = cc.FindRefreshTokens(cache.RefreshTokenQuery{HomeAccountID: account.HomeAccountID, Environments: envs, FamilyID: "1"})
		own = cc.FindRefreshTokens(cache.RefreshTokenQuery{HomeAccountID: account.HomeAccountID, Environments: envs, ClientID: c.cfg.ClientID})
		return nil
	})
	if err != nil {
		return Result{}, fmt.Errorf("engine: read cache: %w", err)
	}
	var lastErr error
	tried := map[string]bool{}
	try := func(rt cache.RefreshToken) (Result, error) {
		tried[rt.Key()] = true
		return c.redeemRefreshToken(ctx, a, scopes, account, rt, o)
	}
	if !hasMeta || appMeta.FamilyID != "" {
		for _, rt := range newestFirst(family) {
			result, err := try(rt)
			if err == nil {
				return result, nil
			}
			lastErr = err
			var e *Error
			if errors.As(err, &e) && (e.SubError == "client_mismatch" || hasString(e.AdditionalInfo, "client_mismatch")) {
				break // this app is not in the family
			}
			if !isRefreshRefusal(err) {
				return Result{}, err
			}
		}
	}
	for _, rt := range newestFirst(own) {
		if tried[rt.Key()] {
			continue
		}
		result, err := try(rt)
		if err == nil {
			return result, nil
		}
		lastErr = err
		if !isRefreshRefusal(err) {
			return Result{}, err
		}
	}
	if lastErr != nil {
		return Result{}, lastErr
	}
	return Result{}, ErrNoToken
}

// isRefreshRefusal reports an answer about this refresh token, after which
// the next candidate may still work; anything else (network, throttling)
// stops the search.
func isRefreshRefusal(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.HTTPStatus >= 400 && e.HTTPStatus < 500 && e.HTTPStatus != 429
}

func (c *Client) redeemRefreshToken(ctx context.Context, a Authority, scopes []string, account Account, rt cache.RefreshToken, o callOptions) (Result, error) {
	call := grantCall{
		authority: a, scopes: scopes, grantType: "refresh_token", skipAccount: true, refreshed: &rt,
		form:       refreshForm(a, rt.Secret, scopes),
		anchor:     anchorForHomeAccount(account.HomeAccountID),
		expectHome: account.HomeAccountID,
	}
	return c.redeem(ctx, call, o)
}

// anchorForHomeAccount is the routing hint Oid:<uid>@<utid>.
func anchorForHomeAccount(homeAccountID string) string {
	if uid, utid, ok := cache.SplitHomeAccountID(homeAccountID); ok {
		return "Oid:" + uid + "@" + utid
	}
	return ""
}

func newestFirst(rts []cache.RefreshToken) []cache.RefreshToken {
	out := append([]cache.RefreshToken(nil), rts...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].LastModificationTime > out[j].LastModificationTime })
	return out
}

func hasString(list []string, want string) bool {
	for _, s := range list {
		if s == want {
			return true
		}
	}
	return false
}

// hasHomeEntry reports whether entries hold an Account entry in the home
// tenant with a username: then mergeAccountEntries takes its fields from
// that entry, whatever other tenants' entries there are.
func hasHomeEntry(entries []cache.Account) bool {
	for _, e := range entries {
		if strings.EqualFold(e.Realm, cache.HomeTenant(e.HomeAccountID)) {
			return e.Username != ""
		}
	}
	return false
}

// unionRealms is a and b without repeats (ignoring case), sorted.
func unionRealms(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range append(append([]string(nil), a...), b...) {
		if k := strings.ToLower(r); !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}
