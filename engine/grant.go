package engine

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"acctui/engine/cache"
)

// defaultExpiresIn applies when an answer states no lifetime, as in MSAL
// Python (RFC 6749 leaves it to the client).
const defaultExpiresIn = 10 * time.Minute

// reservedScopes are added by the engine to every user flow, as MSAL does;
// callers must not pass them.
var reservedScopes = []string{"openid", "profile", "offline_access"}

// checkScopes refuses reserved scopes and empty lists, with the advice MSAL
// gives.
func checkScopes(scopes []string) error {
	for _, s := range scopes {
		for _, r := range reservedScopes {
			if strings.EqualFold(s, r) {
				return fmt.Errorf("engine: scope %q is reserved: the engine always asks for openid profile offline_access; pass only resource scopes", s)
			}
		}
	}
	return nil
}

// decorate adds the reserved scopes for the wire.
func decorate(scopes []string) string {
	return strings.Join(append(append([]string(nil), scopes...), reservedScopes...), " ")
}

// grantCall is one token request and how to cache its answer.
type grantCall struct {
	authority Authority
	form      url.Values
	scopes    []string
	grantType string
	// username is the fallback for the Account's username (ROPC).
	username string
	// anchor is the X-AnchorMailbox routing hint.
	anchor string
	// skipAccount keeps a silent refresh from re-creating an Account that
	// a concurrent RemoveAccount just deleted (MSAL Python does the same).
	skipAccount bool
	// refreshed is the refresh token entry being redeemed, updated in place.
	refreshed *cache.RefreshToken
	// nonce, when set, must come back in the id_token.
	nonce string
	// expectHome, when set, is the home account id the answer must be
	// for (a refresh, a re-authentication); see responseIdentity.check.
	expectHome string
	// expectUsername, when set, is the username the answer's account must
	// have (a re-authentication by login hint).
	expectUsername string
}

// redeem posts a grant and caches the answer.
func (c *Client) redeem(ctx context.Context, call grantCall, opts callOptions) (Result, error) {
	if call.expectHome == "" {
		call.expectHome = opts.expectedHome
	}
	if call.expectUsername == "" {
		call.expectUsername = opts.expectedUsername
	}
	resp, correlationID, err := c.postToken(ctx, call, opts)
	if err != nil {
		return Result{}, err
	}
	if call.nonce != "" {
		if err := checkNonce(resp, call.nonce, c.cfg.ClientID); err != nil {
			return Result{}, err
		}
	}
	result, err := c.saveTokens(ctx, call, resp)
	if err != nil {
		return Result{}, err
	}
	result.CorrelationID = correlationID
	return result, nil
}

// postToken sends a grant to the token endpoint. Server refusals come back
// as *Error; a wait asked for earlier comes back as *ThrottledError without
// a request.
func (c *Client) postToken(ctx context.Context, call grantCall, opts callOptions) (*tokenResponse, string, error) {
	meta, err := c.endpoints(ctx, call.authority)
	if err != nil {
		return nil, "", err
	}
	form := call.form
	form.Set("client_id", c.cfg.ClientID)
	if call.authority.isMicrosoft() {
		form.Set("client_info", "1")
	}
	if claims, err := mergeClaims(opts.claims, c.capabilities(call.authority)); err != nil {
		return nil, "", err
	} else if claims != "" {
		form.Set("claims", claims)
	}
	cred := c.credential()
	if cred != nil {
		// Only the throttle keys see this: a repeated failure is one with
		// the same credential, but an assertion is new on every request.
		form.Set(credentialKeyField, cred.Kind()+":"+cred.fingerprint())
	}
	if err := c.checkThrottle(ctx, throttleKey(meta.TokenEndpoint, form)); err != nil {
		return nil, "", err
	}
	if form.Get("grant_type") != deviceCodeGrant {
		if err := c.checkThrottle(ctx, badRequestKey(meta.TokenEndpoint, form)); err != nil {
			return nil, "", err
		}
	}
	sent := form
	if cred != nil {
		fields, err := cred.authenticate(ctx, meta.TokenEndpoint, c.cfg.ClientID, c.now())
		if err != nil {
			return nil, "", err
		}
		sent = withFields(form, fields)
	}
	correlationID := opts.correlationID
	if correlationID == "" {
		correlationID = newCorrelationID()
	}
	resp, err := c.send(ctx, request{method: http.MethodPost, url: meta.TokenEndpoint, form: sent,
		anchorMailbox: call.anchor, correlationID: correlationID})
	if err != nil {
		return nil, correlationID, err
	}
	var tr tokenResponse
	if resp.status != http.StatusOK {
		e := parseErrorBody(resp)
		if e == nil {
			if err := decodeJSON(resp, &tr); err != nil {
				e = &Error{Description: err.Error(), HTTPStatus: resp.status, RetryAfter: resp.retryAfter}
			} else {
				e = &Error{HTTPStatus: resp.status, RetryAfter: resp.retryAfter}
			}
		}
		if e.CorrelationID == "" {
			e.CorrelationID = correlationID
		}
		e.GrantType = form.Get("grant_type")
		e.Provider = genericProvider(call.authority)
		c.noteThrottle(ctx, form, meta.TokenEndpoint, resp, e)
		return nil, correlationID, e
	}
	if err := decodeJSON(resp, &tr); err != nil {
		return nil, correlationID, err
	}
	if tr.Error != "" {
		e := tr.toError(resp.status, resp.retryAfter)
		e.GrantType = form.Get("grant_type")
		e.Provider = genericProvider(call.authority)
		return nil, correlationID, e
	}
	if tr.AccessToken.IsZero() {
		return nil, correlationID, fmt.Errorf("engine: the token response has no access_token")
	}
	return &tr, correlationID, nil
}

// saveTokens writes a token response into the cache the way MSAL Python
// does and returns the result.
func (c *Client) saveTokens(ctx context.Context, call grantCall, tr *tokenResponse) (Result, error) {
	now := c.now()
	a := call.authority
	realm := c.realm(ctx, a)
	var idClaims map[string]any
	if !tr.IDToken.IsZero() {
		decoded, err := DecodeClaimsUnverified(tr.IDToken.Reveal())
		if err != nil {
			return Result{}, fmt.Errorf("engine: id_token: %w", err)
		}
		idClaims = decoded.Claims
	}
	if a.Kind == KindOIDC && idClaims != nil && strings.TrimRight(claimString(idClaims, "iss"), "/") != a.Issuer {
		return Result{}, fmt.Errorf("engine: %s answered with an id_token from another issuer (%q); nothing was stored", a, oneLine(claimString(idClaims, "iss")))
	}
	homeAccountID, err := identityOf(a, tr, idClaims).check(call.expectHome)
	if err != nil && a.Kind == KindOIDC && call.refreshed != nil && tr.IDToken.IsZero() {
		// A provider need not send an ID token on refresh (OpenID Connect
		// Core §12.2); the refresh token redeemed was this account's.
		homeAccountID, err = call.expectHome, nil
	}
	if err != nil {
		return Result{}, err
	}
	target := cache.NormalizeTarget(tr.Scope)
	if target == "" {
		target = cache.NormalizeTarget(strings.Join(call.scopes, " "))
	}
	expiresIn, extExpiresIn, refreshIn := lifetimes(tr, now)
	tokenType := tr.TokenType
	if tokenType == "" {
		tokenType = "Bearer"
	}
	at := cache.AccessToken{
		HomeAccountID: homeAccountID, Environment: a.Environment, ClientID: c.cfg.ClientID, Realm: realm,
		Target: target, Secret: tr.AccessToken, TokenType: tokenType, CachedAt: now.Unix(),
		ExpiresOn: now.Add(expiresIn).Unix(), ExtendedExpiresOn: now.Add(extExpiresIn).Unix(),
	}
	if refreshIn > 0 {
		at.RefreshOn = now.Add(refreshIn).Unix()
	}
	acct := Account{HomeAccountID: homeAccountID, Environment: a.Environment, Realm: realm, AuthorityType: authorityType(a), Issuer: a.Issuer}
	if idClaims != nil {
		acct.LocalAccountID = claimString(idClaims, "oid")
		if acct.LocalAccountID == "" {
			acct.LocalAccountID = claimString(idClaims, "sub")
		}
		acct.Username = claimString(idClaims, "preferred_username")
		if acct.Username == "" {
			acct.Username = claimString(idClaims, "upn")
		}
		if acct.Username == "" && a.Kind == KindOIDC {
			// A generic provider may name the user only by email, or
			// not at all in the ID token (its userinfo has the rest).
			acct.Username = claimString(idClaims, "email")
			if acct.Username == "" {
				acct.Username = claimString(idClaims, "sub")
			}
		}
	}
	if acct.Username == "" {
		acct.Username = call.username
	}
	switch call.grantType {
	case "authorization_code", "password", "urn:ietf:params:oauth:grant-type:device_code":
		acct.AccountSource = call.grantType
	}
	acct.Realms = []string{realm}
	if call.expectUsername != "" && !strings.EqualFold(acct.Username, call.expectUsername) {
		return Result{}, &AccountMismatchError{Want: call.expectUsername, Got: acct.Username}
	}

	// everything saved here is in realm or has none (the refresh token)
	err = c.store.Write(ctx, CacheHint{HomeAccountID: homeAccountID, Realm: realm}, func(cc *cache.Cache) error {
		if err := cc.SaveAccessToken(at); err != nil {
			return err
		}
		if !tr.RefreshToken.IsZero() {
			if err := saveRefreshToken(cc, call, c.cfg.ClientID, homeAccountID, target, tr, now.Unix()); err != nil {
				return err
			}
		}
		if !tr.IDToken.IsZero() {
			if err := cc.SaveIDToken(cache.IDToken{HomeAccountID: homeAccountID, Environment: a.Environment,
				Realm: realm, ClientID: c.cfg.ClientID, Secret: tr.IDToken}); err != nil {
				return err
			}
		}
		if !call.skipAccount {
			if err := cc.SaveAccount(cache.Account{HomeAccountID: homeAccountID, Environment: a.Environment,
				Realm: realm, LocalAccountID: acct.LocalAccountID, Username: acct.Username,
				AuthorityType: acct.AuthorityType, AccountSource: acct.AccountSource}); err != nil {
				return err
			}
		}
		return cc.SaveAppMetadata(cache.AppMetadata{ClientID: c.cfg.ClientID, Environment: a.Environment, FamilyID: tr.Foci})
	})
	if err != nil {
		return Result{}, fmt.Errorf("engine: save tokens: %w", err)
	}
	r := Result{
		AccessToken: tr.AccessToken, TokenType: tokenType, ExpiresOn: time.Unix(at.ExpiresOn, 0),
		ExtExpiresOn: time.Unix(at.ExtendedExpiresOn, 0), Scopes: strings.Fields(target),
		IDToken: tr.IDToken, IDTokenClaims: idClaims, Account: acct, Source: SourceIdentityProvider,
	}
	if at.RefreshOn > 0 {
		r.RefreshOn = time.Unix(at.RefreshOn, 0)
	}
	return r, nil
}

// lifetimes reads the answer's lifetimes with one rule (boundedSeconds):
// expires_in, else expires_on, else MSAL Python's 600 s; ext_expires_in
// defaults to expires_in; a refresh_in that is not before expiry is
// dropped.
func lifetimes(tr *tokenResponse, now time.Time) (expiresIn, extExpiresIn, refreshIn time.Duration) {
	expiresIn = tr.ExpiresIn.duration()
	if expiresIn <= 0 && tr.ExpiresOn > 0 {
		expiresIn = boundedSeconds(strconv.FormatInt(tr.ExpiresOn-now.Unix(), 10))
	}
	if expiresIn <= 0 {
		expiresIn = defaultExpiresIn
	}
	extExpiresIn = tr.ExtExpiresIn.duration()
	if extExpiresIn <= 0 {
		extExpiresIn = expiresIn
	}
	refreshIn = tr.RefreshIn.duration()
	if refreshIn >= expiresIn {
		refreshIn = 0
	}
	return expiresIn, extExpiresIn, refreshIn
}

// saveRefreshToken updates the redeemed refresh token in place (keeping its
// key, as MSAL Python's update_rt does) or saves a new one.
func saveRefreshToken(cc *cache.Cache, call grantCall, clientID, homeAccountID, target string, tr *tokenResponse, now int64) error {
	if call.refreshed != nil && cc.UpdateRefreshTokenSecret(*call.refreshed, tr.RefreshToken, now) == nil {
		return nil
	}
	return cc.SaveRefreshToken(cache.RefreshToken{
		HomeAccountID: homeAccountID, Environment: call.authority.Environment, ClientID: clientID,
		Target: target, Secret: tr.RefreshToken, FamilyID: tr.Foci,
	}, now)
}
