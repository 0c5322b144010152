package engine

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// AcquireTokenByRefreshToken redeems a refresh token from elsewhere (a
// migration from another tool) and caches the result under its account,
// so later silent calls find it.
func (c *Client) AcquireTokenByRefreshToken(ctx context.Context, refreshToken Secret, scopes []string, opts ...Option) (Result, error) {
	if err := checkScopes(scopes); err != nil {
		return Result{}, err
	}
	if refreshToken.IsZero() {
		return Result{}, fmt.Errorf("engine: a refresh token is required")
	}
	o, err := collectFor("AcquireTokenByRefreshToken", refreshTokenOptions, opts)
	if err != nil {
		return Result{}, err
	}
	a, err := c.callAuthority(o)
	if err != nil {
		return Result{}, err
	}
	call := grantCall{
		authority: a, scopes: scopes, grantType: "refresh_token",
		form: refreshForm(a, refreshToken, scopes),
	}
	return c.redeem(ctx, call, o)
}

// refreshForm is a refresh-token grant. Entra gets the scopes with the
// reserved ones, as MSAL sends them; a generic provider gets only the
// resource scopes asked for, or no scope at all (RFC 6749 §6: the grant
// then covers what was granted), since asking for a scope it did not grant
// is refused.
func refreshForm(a Authority, refreshToken Secret, scopes []string) url.Values {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken.Reveal()}}
	switch {
	case a.isMicrosoft():
		form.Set("scope", decorate(scopes))
	case len(scopes) > 0:
		form.Set("scope", strings.Join(scopes, " "))
	}
	return form
}
