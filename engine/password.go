package engine

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// AcquireTokenByUsernamePassword signs in with a username and password
// (ROPC). Microsoft deprecates this flow: it cannot do MFA, so accounts
// under MFA or conditional access get an interaction_required *Error that
// only a browser or device-code sign-in can answer. For a federated domain
// it does what MSAL does: the password goes to the domain's own identity
// provider (AD FS) over WS-Trust, and the SAML assertion it issues is
// redeemed at the token endpoint instead.
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
	o, err := collectFor("AcquireTokenByUsernamePassword", usernamePasswordOptions, opts)
	if err != nil {
		return Result{}, err
	}
	a, err := c.callAuthority(o)
	if err != nil {
		return Result{}, err
	}
	if a.Kind != KindEntra {
		// Only Entra's hosts have a user realm; AD FS, B2C, External ID
		// and generic providers take the password grant directly (MSAL
		// Python skips the call for AD FS too).
		if err := c.checkGrantOffered(ctx, a, "password"); err != nil {
			return Result{}, err
		}
		return c.redeem(ctx, grantCall{authority: a, scopes: scopes, grantType: "password", username: username,
			form: url.Values{"grant_type": {"password"}, "username": {username}, "password": {password.Reveal()},
				"scope": {decorate(scopes)}}}, o)
	}
	realm, err := c.discoverUserRealm(ctx, a, username)
	if err != nil {
		return Result{}, err
	}
	if realm.isFederated() {
		return c.acquireTokenFederated(ctx, a, realm, scopes, username, password, o)
	}
	call := grantCall{
		authority: a, scopes: scopes, grantType: "password", username: username,
		form: url.Values{"grant_type": {"password"}, "username": {username}, "password": {password.Reveal()},
			"scope": {decorate(scopes)}},
		anchor: "upn:" + username,
	}
	return c.redeem(ctx, call, o)
}

// acquireTokenFederated is the federated half of the username/password
// sign-in: find the WS-Trust endpoint in the federation metadata (mex),
// get a SAML assertion for the credentials, redeem it with the SAML bearer
// grant of its version.
func (c *Client) acquireTokenFederated(ctx context.Context, a Authority, realm userRealm, scopes []string, username string, password Secret, o callOptions) (Result, error) {
	if realm.isPersonalAccount() {
		return Result{}, fmt.Errorf("engine: %s is a personal Microsoft account, which cannot sign in with a password here; use the browser or device-code sign-in", username)
	}
	endpoint, err := c.federationEndpoint(ctx, realm)
	if err != nil {
		return Result{}, err
	}
	assertion, err := c.requestSAMLAssertion(ctx, endpoint, username, password, realm.audience())
	if err != nil {
		return Result{}, err
	}
	grantType, ok := samlGrantByTokenType[assertion.tokenType]
	if !ok {
		return Result{}, &FederationError{Host: hostOf(endpoint.Address), Reason: fmt.Sprintf("the identity provider issued a token of unknown type %q", oneLine(assertion.tokenType))}
	}
	call := grantCall{
		authority: a, scopes: scopes, grantType: grantType, username: username,
		form: url.Values{"grant_type": {grantType}, "assertion": {base64.RawURLEncoding.EncodeToString(assertion.raw)},
			"scope": {decorate(scopes)}},
	}
	return c.redeem(ctx, call, o)
}

// federationEndpoint picks the WS-Trust username endpoint: from the
// metadata document when the realm names one (its absence of a usable
// endpoint is then an error), else the realm's active endpoint.
func (c *Client) federationEndpoint(ctx context.Context, realm userRealm) (wsTrustEndpoint, error) {
	if realm.FederationMetadataURL != "" {
		if !secureEndpoint(realm.FederationMetadataURL) {
			return wsTrustEndpoint{}, &FederationError{Host: hostOf(realm.FederationMetadataURL), Reason: "the federation metadata address is not https"}
		}
		resp, err := c.sendXML(ctx, http.MethodGet, realm.FederationMetadataURL, nil, "")
		if err != nil {
			return wsTrustEndpoint{}, err
		}
		if resp.status != http.StatusOK {
			return wsTrustEndpoint{}, &FederationError{Host: hostOf(realm.FederationMetadataURL), Status: resp.status,
				Reason: fmt.Sprintf("the federation metadata answered HTTP %d", resp.status)}
		}
		endpoint, err := parseMex(resp.body)
		if err != nil {
			return wsTrustEndpoint{}, err
		}
		return endpoint, nil
	}
	address := realm.FederationActiveAuthURL
	action := actionFromAddress(address)
	if address == "" || action == "" || !secureEndpoint(address) {
		return wsTrustEndpoint{}, fmt.Errorf("engine: %s is federated but its identity provider announces no usable WS-Trust endpoint; use the browser or device-code sign-in", oneLine(realm.DomainName))
	}
	return wsTrustEndpoint{Address: address, Action: action}, nil
}
