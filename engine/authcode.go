package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"acctui/engine/cache"
)

// authTimeSkew is the clock skew allowed when checking max_age, as MSAL.
const authTimeSkew = 120 * time.Second

// AuthCodeFlow is an authorization request in progress: send the user to
// AuthURI, then pass what came back to the redirect URI to
// AcquireTokenByAuthCodeFlow. It is JSON-serialisable (keep it server-side:
// it holds the PKCE verifier) and prints without its secrets.
type AuthCodeFlow struct {
	AuthURI      string   `json:"auth_uri"`
	State        string   `json:"state"`
	Nonce        string   `json:"nonce"`
	CodeVerifier string   `json:"code_verifier"`
	RedirectURI  string   `json:"redirect_uri"`
	Scopes       []string `json:"scope"`
	Claims       string   `json:"claims_challenge,omitempty"`
	MaxAge       *int     `json:"max_age,omitempty"`
	Authority    string   `json:"authority"`
	// ExpectedHomeAccountID, when set (WithExpectedAccount), is the only
	// account whose tokens the redemption accepts.
	ExpectedHomeAccountID string `json:"expected_home_account_id,omitempty"`
	// ExpectedUsername, when set (WithExpectedUsername), is the only
	// username whose tokens the redemption accepts.
	ExpectedUsername string `json:"expected_username,omitempty"`
}

// String shows the flow without its verifier and nonce.
func (f AuthCodeFlow) String() string {
	return fmt.Sprintf("engine.AuthCodeFlow{RedirectURI: %s, Scopes: %s, State: %s}", f.RedirectURI, strings.Join(f.Scopes, " "), f.State)
}

// GoString is String, for %#v.
func (f AuthCodeFlow) GoString() string { return f.String() }

// Format is String for every verb.
func (f AuthCodeFlow) Format(s fmt.State, _ rune) { fmt.Fprint(s, f.String()) }

// LogValue is String, for log/slog.
func (f AuthCodeFlow) LogValue() slog.Value { return slog.StringValue(f.String()) }

// InitiateAuthCodeFlow starts an authorization-code flow with PKCE (S256),
// state and nonce. The redirect URI is required (WithRedirectURI); prompt,
// login and domain hints, claims, max_age and response mode are options.
func (c *Client) InitiateAuthCodeFlow(ctx context.Context, scopes []string, opts ...Option) (AuthCodeFlow, error) {
	o, err := collectFor("InitiateAuthCodeFlow", authCodeFlowOptions, opts)
	if err != nil {
		return AuthCodeFlow{}, err
	}
	return c.initiateAuthCodeFlow(ctx, scopes, o)
}

// initiateAuthCodeFlow is InitiateAuthCodeFlow with its options checked.
func (c *Client) initiateAuthCodeFlow(ctx context.Context, scopes []string, o callOptions) (AuthCodeFlow, error) {
	if err := checkScopes(scopes); err != nil {
		return AuthCodeFlow{}, err
	}
	if o.redirectURI == "" {
		return AuthCodeFlow{}, errors.New("engine: an auth-code flow needs a redirect URI (WithRedirectURI)")
	}
	a, err := c.callAuthority(o)
	if err != nil {
		return AuthCodeFlow{}, err
	}
	verifier, challenge := newPKCE()
	flow := AuthCodeFlow{
		State: o.state, Nonce: newNonce(), CodeVerifier: verifier, RedirectURI: o.redirectURI,
		Scopes: append([]string(nil), scopes...), Claims: o.claims, Authority: a.String(),
		ExpectedHomeAccountID: o.expectedHome, ExpectedUsername: o.expectedUsername,
	}
	if flow.State == "" {
		flow.State = newState()
	}
	if o.maxAge >= 0 {
		maxAge := o.maxAge
		flow.MaxAge = &maxAge
	}
	q, err := c.authorizeParams(a, scopes, o)
	if err != nil {
		return AuthCodeFlow{}, err
	}
	q.Set("state", flow.State)
	q.Set("nonce", nonceHash(flow.Nonce))
	q.Set("code_challenge", challenge)
	q.Set("code_challenge_method", "S256")
	meta, err := c.endpoints(ctx, a)
	if err != nil {
		return AuthCodeFlow{}, err
	}
	if meta.AuthorizationEndpoint == "" {
		return AuthCodeFlow{}, missingEndpointError(a, "authorization_endpoint", "browser")
	}
	flow.AuthURI = meta.AuthorizationEndpoint + "?" + q.Encode()
	return flow, nil
}

// AuthorizationRequestURL builds an authorization URL without PKCE, for the
// legacy AcquireTokenByAuthorizationCode (MSAL Python's
// get_authorization_request_url). Prefer InitiateAuthCodeFlow.
func (c *Client) AuthorizationRequestURL(ctx context.Context, scopes []string, opts ...Option) (string, error) {
	if err := checkScopes(scopes); err != nil {
		return "", err
	}
	o, err := collectFor("AuthorizationRequestURL", authorizationURLOptions, opts)
	if err != nil {
		return "", err
	}
	if o.redirectURI == "" {
		return "", errors.New("engine: an authorization URL needs a redirect URI (WithRedirectURI)")
	}
	a, err := c.callAuthority(o)
	if err != nil {
		return "", err
	}
	q, err := c.authorizeParams(a, scopes, o)
	if err != nil {
		return "", err
	}
	if o.state != "" {
		q.Set("state", o.state)
	}
	meta, err := c.endpoints(ctx, a)
	if err != nil {
		return "", err
	}
	if meta.AuthorizationEndpoint == "" {
		return "", missingEndpointError(a, "authorization_endpoint", "browser")
	}
	return meta.AuthorizationEndpoint + "?" + q.Encode(), nil
}

// authorizeParams are the query parameters every authorization URL shares.
func (c *Client) authorizeParams(a Authority, scopes []string, o callOptions) (url.Values, error) {
	q := url.Values{
		"client_id":     {c.cfg.ClientID},
		"response_type": {"code"},
		"redirect_uri":  {o.redirectURI},
		"scope":         {decorate(scopes)},
	}
	if a.isMicrosoft() {
		// as MSAL does, so the redirect carries the home account for the
		// code redemption's routing hint
		q.Set("client_info", "1")
	} else {
		// Entra-only values a strict provider refuses: select_account
		// is not an OpenID Connect prompt, domain_hint means nothing.
		if o.prompt == "select_account" {
			o.prompt = ""
		}
		o.domainHint = ""
		// OpenID Connect Core §11: a request for offline_access must carry
		// prompt=consent, or a strict provider drops offline_access and
		// issues no refresh token.
		if !strings.Contains(" "+o.prompt+" ", " consent ") && o.prompt != "none" {
			o.prompt = strings.TrimSpace(o.prompt + " consent")
		}
	}
	for name, value := range map[string]string{"prompt": o.prompt, "login_hint": o.loginHint, "domain_hint": o.domainHint, "response_mode": o.responseMode} {
		if value != "" {
			q.Set(name, value)
		}
	}
	if o.loginHint != "" {
		if err := CheckUsername(o.loginHint); err != nil {
			return nil, err
		}
		if a.isMicrosoft() {
			q.Set("X-AnchorMailbox", "UPN:"+o.loginHint)
		}
	}
	if o.maxAge >= 0 {
		q.Set("max_age", strconv.Itoa(o.maxAge))
	}
	claims, err := mergeClaims(o.claims, c.capabilities(a))
	if err != nil {
		return nil, err
	}
	if claims != "" {
		q.Set("claims", claims)
	}
	return q, nil
}

// AcquireTokenByAuthCodeFlow completes a flow with the parameters the
// identity provider sent to the redirect URI (query or form). It refuses a
// missing or mismatched state (ErrStateMismatch), returns an error response
// as *Error, checks the id_token nonce (ErrNonceMismatch) and max_age, and
// refuses scopes outside the flow's. scopes nil means the flow's.
func (c *Client) AcquireTokenByAuthCodeFlow(ctx context.Context, flow AuthCodeFlow, response url.Values, scopes []string) (Result, error) {
	if flow.State == "" {
		return Result{}, fmt.Errorf("%w: state missing from the flow", ErrStateMismatch)
	}
	if got := response.Get("state"); got != flow.State {
		return Result{}, fmt.Errorf("%w: the response carries another state (or none)", ErrStateMismatch)
	}
	if code := response.Get("error"); code != "" {
		return Result{}, &Error{Code: code, Description: response.Get("error_description"), SubError: response.Get("suberror"),
			Claims: response.Get("claims"), CorrelationID: response.Get("correlation_id"), TraceID: response.Get("trace_id")}
	}
	code := response.Get("code")
	if code == "" {
		return Result{}, errors.New("engine: the authorization response has neither a code nor an error")
	}
	if scopes == nil {
		scopes = flow.Scopes
	}
	if !cache.NewScopeSet(flow.Scopes...).ContainsAll(scopes...) {
		return Result{}, fmt.Errorf("engine: scopes %q are not all in the flow's %q", strings.Join(scopes, " "), strings.Join(flow.Scopes, " "))
	}
	a := c.authority
	if flow.Authority != "" {
		var err error
		if a, err = c.parseAuthority(flow.Authority); err != nil {
			return Result{}, err
		}
	}
	call := grantCall{
		authority: a, scopes: scopes, grantType: "authorization_code", nonce: nonceHash(flow.Nonce),
		form: url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {flow.RedirectURI},
			"code_verifier": {flow.CodeVerifier}, "scope": {decorate(scopes)}},
	}
	if info, ok := decodeClientInfo(response.Get("client_info")); ok {
		call.anchor = anchorForHomeAccount(info.homeAccountID())
	}
	result, err := c.redeem(ctx, call, callOptions{claims: flow.Claims, expectedHome: flow.ExpectedHomeAccountID, expectedUsername: flow.ExpectedUsername})
	if err != nil {
		return Result{}, err
	}
	if flow.MaxAge != nil {
		if err := checkAuthTime(result.IDTokenClaims, *flow.MaxAge, c.now()); err != nil {
			return Result{}, err
		}
	}
	return result, nil
}

// AcquireTokenByAuthorizationCode redeems a code obtained without a flow
// object (the legacy path, MSAL Python's acquire_token_by_authorization_code).
// nonce, when not empty, must be the value sent in the authorization URL.
func (c *Client) AcquireTokenByAuthorizationCode(ctx context.Context, code string, scopes []string, redirectURI, nonce string, opts ...Option) (Result, error) {
	if err := checkScopes(scopes); err != nil {
		return Result{}, err
	}
	o, err := collectFor("AcquireTokenByAuthorizationCode", authorizationCodeOptions, opts)
	if err != nil {
		return Result{}, err
	}
	a, err := c.callAuthority(o)
	if err != nil {
		return Result{}, err
	}
	call := grantCall{
		authority: a, scopes: scopes, grantType: "authorization_code", nonce: nonce,
		form: url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}, "scope": {decorate(scopes)}},
	}
	return c.redeem(ctx, call, o)
}

// checkNonce checks the id_token of a code redemption: it must be for this
// app and carry the nonce the request sent.
func checkNonce(tr *tokenResponse, wantNonce, clientID string) error {
	if tr.IDToken.IsZero() {
		return fmt.Errorf("%w: the response has no id_token", ErrNonceMismatch)
	}
	decoded, err := DecodeClaimsUnverified(tr.IDToken.Reveal())
	if err != nil {
		return fmt.Errorf("engine: id_token: %w", err)
	}
	if !audienceIncludes(decoded.Claims["aud"], clientID) {
		return fmt.Errorf("engine: the id_token is for another application (aud %q)", oneLine(fmt.Sprint(decoded.Claims["aud"])))
	}
	if claimString(decoded.Claims, "nonce") != wantNonce {
		return ErrNonceMismatch
	}
	return nil
}

// checkAuthTime enforces max_age against the id_token's auth_time.
func checkAuthTime(claims map[string]any, maxAge int, now time.Time) error {
	authTime, ok := claimInt(claims, "auth_time")
	if !ok {
		return errors.New("engine: max_age was requested but the id_token has no auth_time")
	}
	if now.Sub(time.Unix(authTime, 0)) > time.Duration(maxAge)*time.Second+authTimeSkew {
		return fmt.Errorf("engine: the sign-in is older than max_age (%d s)", maxAge)
	}
	return nil
}
