package engine

import (
	"context"
	"fmt"
	"net/url"
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
		form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken.Reveal()}, "scope": {decorate(scopes)}},
	}
	return c.redeem(ctx, call, o)
}
