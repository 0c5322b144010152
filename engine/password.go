package engine

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// AcquireTokenByUsernamePassword signs in with a username and password
// (ROPC). Microsoft deprecates this flow: it cannot do MFA, so accounts
// under MFA or conditional access get an interaction_required *Error whose
// Claims the browser or device-code sign-in should carry. Federated
// accounts are refused (WS-Trust is not supported).
func (c *Client) AcquireTokenByUsernamePassword(ctx context.Context, scopes []string, username string, password Secret, opts ...Option) (Result, error) {
	if err := checkScopes(scopes); err != nil {
		return Result{}, err
	}
	if strings.TrimSpace(username) == "" || password.IsZero() {
		return Result{}, fmt.Errorf("engine: a username and a password are required")
	}
	if err := CheckUsername(username); err != nil {
		return Result{}, err
	}
	o := collect(opts)
	a, err := c.callAuthority(o)
	if err != nil {
		return Result{}, err
	}
	if err := c.checkUserRealm(ctx, a, username); err != nil {
		return Result{}, err
	}
	call := grantCall{
		authority: a, scopes: scopes, grantType: "password", username: username,
		form: url.Values{"grant_type": {"password"}, "username": {username}, "password": {password.Reveal()},
			"scope": {decorate(scopes)}},
		anchor: "upn:" + username,
	}
	return c.redeem(ctx, call, o)
}

// checkUserRealm asks whether the user's domain is managed or federated,
// as MSAL does before ROPC. A federated domain needs WS-Trust, which this
// engine does not speak; an unreachable realm endpoint is not fatal.
func (c *Client) checkUserRealm(ctx context.Context, a Authority, username string) error {
	u := a.Scheme + "://" + a.Host + "/common/userrealm/" + url.PathEscape(username) + "?api-version=1.0"
	resp, err := c.send(ctx, request{method: http.MethodGet, url: u, anchorMailbox: "upn:" + username})
	if err != nil {
		return err
	}
	if resp.status != http.StatusOK {
		return nil // MSAL treats a missing user realm endpoint as managed
	}
	var realm struct {
		AccountType string `json:"account_type"`
	}
	if decodeJSON(resp, &realm) != nil {
		return nil
	}
	if strings.EqualFold(realm.AccountType, "Federated") {
		return fmt.Errorf("engine: %s is a federated account (its sign-in happens at another identity provider); use the browser or device-code sign-in", username)
	}
	return nil
}
