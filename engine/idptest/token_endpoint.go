package idptest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

const (
	grantAuthorizationCode = "authorization_code"
	grantRefreshToken      = "refresh_token"
	grantPassword          = "password"
	grantDeviceCode        = "urn:ietf:params:oauth:grant-type:device_code"
	grantClientCredentials = "client_credentials"

	authCodeLifetime = 10 * time.Minute
	maxFormBytes     = 1 << 20
)

// tokenRequest is what every grant shares: the form, the tenant segment of
// the authority and the authenticated app.
type tokenRequest struct {
	r       *http.Request
	segment string
	tenant  *Tenant // nil for common, organizations and consumers
	app     *App
}

func (tr tokenRequest) form(name string) string { return tr.r.PostForm.Get(name) }

// handleToken is POST /{tenant}/oauth2/v2.0/token.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	resp, oerr := s.tokenLocked(r)
	if oerr != nil {
		oerr.write(w, r, s.nowLocked())
		return
	}
	writeJSONNoStore(w, http.StatusOK, resp)
}

func (s *Server) tokenLocked(r *http.Request) (map[string]any, *oauthError) {
	segment := r.PathValue("tenant")
	tenant, oerr := s.resolveSegmentLocked(segment)
	if oerr != nil {
		return nil, oerr
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		return nil, errInvalidRequest(900144, "The request body must contain the following parameter: 'grant_type'.")
	}
	tr := tokenRequest{r: r, segment: segment, tenant: tenant}
	clientID := tr.form("client_id")
	if basicID, _, ok := r.BasicAuth(); ok && clientID == "" {
		clientID = basicID
	}
	if clientID == "" {
		return nil, errInvalidRequest(900144, "The request body must contain the following parameter: 'client_id'.")
	}
	if tr.app = s.dir.app(clientID); tr.app == nil {
		return nil, errUnknownClient(clientID, segment)
	}
	if oerr := s.authenticateClientLocked(tr); oerr != nil {
		return nil, oerr
	}
	scopes, oerr := parseScopes(tr.form("scope"))
	grantType := tr.form("grant_type")
	if oerr != nil && grantType != grantAuthorizationCode {
		return nil, oerr
	}
	switch grantType {
	case grantAuthorizationCode:
		return s.redeemCodeLocked(tr)
	case grantRefreshToken:
		return s.redeemRefreshTokenLocked(tr, scopes)
	case grantPassword:
		return s.passwordGrantLocked(tr, scopes)
	case grantDeviceCode:
		return s.redeemDeviceCodeLocked(tr)
	case grantClientCredentials:
		return s.clientCredentialsLocked(tr)
	case grantSAML11, grantSAML2:
		return s.samlGrantLocked(tr, scopes, grantType)
	case "":
		return nil, errInvalidRequest(900144, "The request body must contain the following parameter: 'grant_type'.")
	default:
		return nil, newOAuthError(http.StatusBadRequest, "unsupported_grant_type", 70003,
			fmt.Sprintf("The app requested an unsupported grant type '%s'.", grantType))
	}
}

// resolveSegmentLocked maps an authority's tenant segment to a tenant; the
// multi-tenant segments give nil.
func (s *Server) resolveSegmentLocked(segment string) (*Tenant, *oauthError) {
	switch strings.ToLower(segment) {
	case "common", "organizations", "consumers":
		return nil, nil
	}
	if t := s.dir.tenant(segment); t != nil {
		return t, nil
	}
	return nil, errUnknownTenant(segment)
}

// authenticateClient checks the secret of a confidential app, and that a
// public app sends none.
func authenticateClient(tr tokenRequest) *oauthError {
	secret := tr.form("client_secret")
	if _, basicSecret, ok := tr.r.BasicAuth(); ok && secret == "" {
		secret = basicSecret
	}
	if tr.app.Public {
		if secret != "" || tr.form("client_assertion") != "" {
			return errInvalidClient(700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")
		}
		return nil
	}
	if secret == "" {
		return errInvalidClient(7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
	}
	if subtle.ConstantTimeCompare([]byte(secret), []byte(tr.app.Secret)) != 1 {
		return errInvalidClient(7000215, fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", tr.app.ClientID))
	}
	return nil
}

// userAllowedLocked checks that a user may sign in through an authority
// segment: a tenant authority takes its own members, organizations and
// common take work accounts, consumers takes personal accounts.
func userAllowed(segment string, tenant *Tenant, userTenant *Tenant) *oauthError {
	switch strings.ToLower(segment) {
	case "common":
		return nil
	case "organizations":
		if userTenant.ID == ConsumersTenantID {
			return errInvalidRequest(9002331, "Application is configured for use by Microsoft Account users only. Please use the /consumers endpoint to serve this request.")
		}
		return nil
	case "consumers":
		if userTenant.ID != ConsumersTenantID {
			return errInvalidGrant(50020, "User account from identity provider does not exist in tenant 'Microsoft Services' and cannot access the application in that tenant.")
		}
		return nil
	}
	if tenant.ID != userTenant.ID {
		return errInvalidGrant(50020, fmt.Sprintf("User account from identity provider does not exist in tenant '%s' and cannot access the application in that tenant. The account needs to be added as an external user in the tenant first.", tenant.Domain))
	}
	return nil
}

// policyLocked applies what stands between an authenticated user and a
// token: a disabled account, missing consent, a pending claims challenge.
func (s *Server) policyLocked(g grant, interactive bool) *oauthError {
	if g.user.Disabled {
		return errUserDisabled()
	}
	if g.user.ConsentRequired && !s.state.consents[consentKey(g.user.ObjectID, g.app.ClientID)] {
		return errConsentRequired(g.app)
	}
	if c := s.state.challenges[g.user.ObjectID]; c != nil {
		if !claimsSatisfy(g.claims, c) || (c.interactive && !interactive) {
			return errClaimsChallenge(c.claims)
		}
		delete(s.state.challenges, g.user.ObjectID)
	}
	return nil
}

func (s *Server) redeemCodeLocked(tr tokenRequest) (map[string]any, *oauthError) {
	code := s.state.codes[tr.form("code")]
	now := s.nowLocked()
	switch {
	case code == nil || !strings.EqualFold(code.grant.app.ClientID, tr.app.ClientID):
		return nil, errInvalidGrant(70000, "The provided value for the 'code' parameter is not valid.")
	case code.redeemed:
		return nil, errInvalidGrant(54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
	case now.Sub(code.issued) > authCodeLifetime:
		return nil, errInvalidGrant(70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
	case tr.form("redirect_uri") != code.redirectURI:
		return nil, errInvalidGrant(70000, "The provided value for the 'redirect_uri' is not valid. The value must exactly match the redirect URI used to obtain the authorization code.")
	}
	if code.codeChallenge != "" {
		sum := sha256.Sum256([]byte(tr.form("code_verifier")))
		if subtle.ConstantTimeCompare([]byte(base64URL(sum[:])), []byte(code.codeChallenge)) != 1 {
			return nil, errInvalidGrant(501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
		}
	}
	g := code.grant
	if raw := tr.form("scope"); strings.TrimSpace(raw) != "" {
		scopes, oerr := parseScopes(raw)
		if oerr != nil {
			return nil, oerr
		}
		g.scopes = scopes
	}
	g.grantType = grantAuthorizationCode
	code.redeemed = true
	resp, err := s.issueLocked(g, tr.form("client_info") == "1")
	if err != nil {
		return nil, serverError(err)
	}
	return resp, nil
}

func (s *Server) redeemRefreshTokenLocked(tr tokenRequest, scopes scopeRequest) (map[string]any, *oauthError) {
	rec := s.state.refresh[tr.form("refresh_token")]
	if rec == nil {
		return nil, errInvalidGrant(9002313, "Invalid request. Request is malformed or invalid.")
	}
	user, userTenant := s.dir.userByOID(rec.oid)
	if user == nil {
		return nil, errInvalidGrant(50173, "The provided grant has expired due to it being revoked, a fresh auth token is needed.")
	}
	now := s.nowLocked()
	if rec.revoked {
		return nil, errInvalidGrant(50173, fmt.Sprintf("The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on '%s'.", rec.authTime.UTC().Format(time.RFC3339)))
	}
	if idle := now.Sub(rec.lastUsed); idle > refreshInactivity(user) {
		e := errInvalidGrant(700082, fmt.Sprintf("The refresh token has expired due to inactivity. The token was issued on %s and was inactive for %s.", rec.authTime.UTC().Format(time.RFC3339), idle.Round(time.Second)))
		e.suberror = "bad_token"
		return nil, e
	}
	if !strings.EqualFold(rec.clientID, tr.app.ClientID) && !(rec.family && tr.app.Family) {
		e := errInvalidGrant(70000, "The provided grant was issued to a different client and cannot be redeemed by this one.")
		e.suberror = "client_mismatch"
		e.additional = []string{"client_mismatch"}
		return nil, e
	}
	if oerr := userAllowed(tr.segment, tr.tenant, userTenant); oerr != nil {
		return nil, oerr
	}
	g := grant{user: user, tenant: userTenant, app: tr.app, scopes: scopes, authTime: rec.authTime,
		mfa: rec.mfa, claims: tr.form("claims"), grantType: grantRefreshToken}
	if oerr := s.policyLocked(g, false); oerr != nil {
		return nil, oerr
	}
	// Entra rotates refresh tokens but keeps the old one valid.
	rec.lastUsed = now
	g.scopes.offlineAccess = true
	resp, err := s.issueLocked(g, tr.form("client_info") == "1")
	if err != nil {
		return nil, serverError(err)
	}
	return resp, nil
}

func (s *Server) passwordGrantLocked(tr tokenRequest, scopes scopeRequest) (map[string]any, *oauthError) {
	user, userTenant := s.dir.user(tr.form("username"))
	if user == nil {
		return nil, errUnknownUser(tr.segment)
	}
	// A federated user's password is known only to AD FS, and personal
	// Microsoft accounts never take the password grant: Entra cannot check
	// either, so the grant fails as for a wrong password.
	if fed, _ := s.dir.federatedDomain(user.Username); fed != nil || userTenant.ID == ConsumersTenantID ||
		subtle.ConstantTimeCompare([]byte(tr.form("password")), []byte(user.Password)) != 1 {
		return nil, errBadPassword()
	}
	if oerr := userAllowed(tr.segment, tr.tenant, userTenant); oerr != nil {
		return nil, oerr
	}
	if user.Disabled {
		return nil, errUserDisabled()
	}
	if user.MFARequired {
		return nil, errMFARequired(scopes.resource)
	}
	g := grant{user: user, tenant: userTenant, app: tr.app, scopes: scopes, authTime: s.nowLocked(),
		claims: tr.form("claims"), grantType: grantPassword}
	if oerr := s.policyLocked(g, false); oerr != nil {
		return nil, oerr
	}
	resp, err := s.issueLocked(g, tr.form("client_info") == "1")
	if err != nil {
		return nil, serverError(err)
	}
	return resp, nil
}

func (s *Server) clientCredentialsLocked(tr tokenRequest) (map[string]any, *oauthError) {
	if tr.app.Public {
		return nil, newOAuthError(http.StatusBadRequest, "unauthorized_client", 700025, "Client is public so the client_credentials grant is not allowed.")
	}
	if tr.tenant == nil {
		return nil, errInvalidRequest(90009, "Client credentials need a tenant-specific authority (a tenant GUID or domain), not "+tr.segment+".")
	}
	raw := strings.TrimSpace(tr.form("scope"))
	if len(strings.Fields(raw)) != 1 || !strings.HasSuffix(raw, "/.default") {
		return nil, errInvalidScope(1002012, fmt.Sprintf("The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", raw))
	}
	scopes, oerr := parseScopes(raw)
	if oerr != nil {
		return nil, oerr
	}
	now := s.nowLocked()
	claims := map[string]any{
		"aud": scopes.resource, "iss": s.url + "/" + tr.tenant.ID + "/v2.0",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(defaultAccessTokenLifetime).Unix(),
		"tid": tr.tenant.ID, "oid": stableGUID("sp:" + tr.app.ClientID), "sub": stableGUID("sp:" + tr.app.ClientID),
		"azp": tr.app.ClientID, "azpacr": azpacr(tr), "idtyp": "app", "roles": appRoles(tr.app), "ver": "2.0",
		"uti": randomToken(16),
	}
	token, err := s.key.sign(claims)
	if err != nil {
		return nil, serverError(err)
	}
	s.state.issued = append(s.state.issued, token)
	secs := int(defaultAccessTokenLifetime.Seconds())
	return map[string]any{"token_type": "Bearer", "expires_in": secs, "ext_expires_in": secs, "access_token": token}, nil
}

func serverError(err error) *oauthError {
	return newOAuthError(http.StatusInternalServerError, "server_error", 90033, "A transient error has occurred: "+err.Error())
}

func writeJSONNoStore(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
