package idptest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

const (
	sessionCookie      = "idptest_session"
	interactionTimeout = 30 * time.Minute
)

// interaction is a sign-in in progress in a browser: either an
// authorization request or a device-code approval.
type interaction struct {
	id      string
	segment string
	tenant  *Tenant
	app     *App
	scopes  scopeRequest
	claims  string
	created time.Time

	// authorization requests
	redirectURI   string
	responseMode  string
	state         string
	nonce         string
	codeChallenge string
	prompt        string
	loginHint     string
	domainHint    string
	maxAge        int  // seconds; -1 when absent
	clientInfo    bool // client_info=1: the redirect carries client_info

	// device flow
	device *deviceCode

	// progress
	user       *User
	userTenant *Tenant
	mfaDone    bool
	authTime   time.Time
	consented  bool
}

// authorizeError is an error that goes back to the app on its redirect URI.
type authorizeError struct {
	err  string
	code int
	msg  string
}

// handleAuthorize is GET /{tenant}/oauth2/v2.0/authorize.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	segment := r.PathValue("tenant")
	tenant, oerr := s.resolveSegmentLocked(segment)
	if oerr != nil {
		s.renderErrorPage(w, http.StatusBadRequest, oerr.code, oerr.message)
		return
	}
	app := s.dir.app(q.Get("client_id"))
	if app == nil {
		e := errUnknownClient(q.Get("client_id"), segment)
		s.renderErrorPage(w, http.StatusBadRequest, e.code, e.message)
		return
	}
	redirectURI := q.Get("redirect_uri")
	if !redirectAllowed(app, redirectURI) {
		s.renderErrorPage(w, http.StatusBadRequest, 50011, fmt.Sprintf("The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application '%s'.", redirectURI, app.ClientID))
		return
	}
	ia := &interaction{
		id: randomToken(24), segment: segment, tenant: tenant, app: app, created: s.nowLocked(),
		redirectURI: redirectURI, responseMode: q.Get("response_mode"), state: q.Get("state"),
		nonce: q.Get("nonce"), prompt: q.Get("prompt"), loginHint: q.Get("login_hint"),
		domainHint: q.Get("domain_hint"), claims: q.Get("claims"), maxAge: -1,
		clientInfo: q.Get("client_info") == "1",
	}
	if ia.responseMode == "" {
		ia.responseMode = "query"
	}
	if ia.responseMode != "query" && ia.responseMode != "form_post" {
		ia.responseMode = "query"
		s.redirectError(w, ia, authorizeError{"invalid_request", 900144, "The response_mode '" + q.Get("response_mode") + "' is not supported; use query or form_post."})
		return
	}
	if aerr := s.validateAuthorize(q, ia); aerr != nil {
		s.redirectError(w, ia, *aerr)
		return
	}
	s.state.pending[ia.id] = ia
	s.continueInteraction(w, r, ia)
}

// validateAuthorize checks the parameters that, once the redirect URI is
// trusted, are reported back to the app rather than shown to the user.
func (s *Server) validateAuthorize(q url.Values, ia *interaction) *authorizeError {
	if q.Get("response_type") != "code" {
		return &authorizeError{"unsupported_response_type", 700054, fmt.Sprintf("response_type '%s' is not enabled for the application; use code.", q.Get("response_type"))}
	}
	scopes, oerr := parseScopes(q.Get("scope"))
	if oerr != nil {
		return &authorizeError{oerr.err, oerr.code, oerr.message}
	}
	ia.scopes = scopes
	if challenge := q.Get("code_challenge"); challenge != "" {
		if q.Get("code_challenge_method") != "S256" {
			return &authorizeError{"invalid_request", 501491, "Only the S256 code_challenge_method is accepted by this emulator."}
		}
		if len(challenge) != 43 {
			return &authorizeError{"invalid_request", 501491, "The code_challenge must be a base64url SHA-256 digest (43 characters)."}
		}
		ia.codeChallenge = challenge
	}
	switch ia.prompt {
	case "", "none", "login", "select_account", "consent":
	default:
		return &authorizeError{"invalid_request", 90023, "Invalid prompt value '" + ia.prompt + "'."}
	}
	if raw := q.Get("max_age"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			return &authorizeError{"invalid_request", 90023, "max_age must be a non-negative number of seconds."}
		}
		ia.maxAge = n
	}
	if ia.claims != "" && !json.Valid([]byte(ia.claims)) {
		return &authorizeError{"invalid_request", 90019, "The claims parameter is not valid JSON."}
	}
	return nil
}

// redirectAllowed applies Entra's redirect rules: registered URIs exactly,
// and for public clients any port on a loopback http URI (RFC 8252 §7.3).
func redirectAllowed(app *App, redirectURI string) bool {
	if redirectURI == "" {
		return false
	}
	for _, registered := range app.RedirectURIs {
		if redirectURI == registered {
			return true
		}
	}
	if !app.Public {
		return false
	}
	u, err := url.Parse(redirectURI)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Fragment != "" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// continueInteraction shows the next step of a sign-in, or finishes it.
func (s *Server) continueInteraction(w http.ResponseWriter, r *http.Request, ia *interaction) {
	if ia.user == nil {
		if s.trySessionLocked(w, r, ia) {
			return
		}
		if ia.user == nil {
			if ia.prompt == "none" {
				s.redirectError(w, ia, authorizeError{"login_required", 50058, "A silent sign-in request was sent but no user is signed in."})
				return
			}
			s.renderSignIn(w, ia, "")
			return
		}
	}
	needMFA := (ia.user.MFARequired || s.state.challenges[ia.user.ObjectID] != nil) && !ia.mfaDone
	if needMFA {
		if ia.prompt == "none" {
			s.redirectError(w, ia, authorizeError{"interaction_required", 50076, "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource."})
			return
		}
		s.renderMFA(w, ia)
		return
	}
	consented := s.state.consents[consentKey(ia.user.ObjectID, ia.app.ClientID)]
	if !ia.consented && ((ia.user.ConsentRequired && !consented) || ia.prompt == "consent") {
		if ia.prompt == "none" {
			s.redirectError(w, ia, authorizeError{"consent_required", 65001, "The user or administrator has not consented to use the application."})
			return
		}
		s.renderConsent(w, ia)
		return
	}
	if ia.device != nil && !ia.consented {
		s.renderDeviceConfirm(w, ia)
		return
	}
	s.finishInteraction(w, r, ia)
}

// trySessionLocked signs the user in from the SSO cookie when the request
// allows it. It reports true when it has written a response.
func (s *Server) trySessionLocked(w http.ResponseWriter, r *http.Request, ia *interaction) bool {
	if ia.device != nil || ia.prompt == "login" {
		return false
	}
	sess := s.sessionLocked(r)
	if sess == nil || len(sess.users) == 0 {
		return false
	}
	var candidates []sessionUser
	for _, su := range sess.users {
		user, userTenant := s.dir.userByOID(su.oid)
		if user == nil || userAllowed(ia.segment, ia.tenant, userTenant) != nil {
			continue
		}
		if ia.loginHint != "" && !strings.EqualFold(user.Username, ia.loginHint) {
			continue
		}
		candidates = append(candidates, su)
	}
	if ia.prompt == "select_account" {
		s.renderSelectAccount(w, ia, sess)
		return true
	}
	if len(candidates) != 1 {
		if len(candidates) > 1 && ia.prompt == "none" {
			s.redirectError(w, ia, authorizeError{"interaction_required", 16000, "Multiple users are signed in; the request must say which (login_hint)."})
			return true
		}
		return false
	}
	su := candidates[0]
	if ia.maxAge >= 0 && s.nowLocked().Sub(su.authTime) > time.Duration(ia.maxAge)*time.Second {
		if ia.prompt == "none" {
			s.redirectError(w, ia, authorizeError{"login_required", 50058, "The session is older than max_age; the user must sign in again."})
			return true
		}
		user, _ := s.dir.userByOID(su.oid)
		ia.loginHint = user.Username
		return false
	}
	ia.user, ia.userTenant = s.dir.userByOID(su.oid)
	ia.authTime, ia.mfaDone = su.authTime, su.mfa
	return false
}

// handleLogin is POST /{tenant}/login: every form of the sign-in pages.
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.renderErrorPage(w, http.StatusBadRequest, 900144, "The form could not be read.")
		return
	}
	ia := s.state.pending[r.PostForm.Get("ctx")]
	if ia == nil || s.nowLocked().Sub(ia.created) > interactionTimeout {
		s.renderErrorPage(w, http.StatusBadRequest, 50058, "This sign-in page has expired or is unknown. Start the sign-in again from the application.")
		return
	}
	switch action := r.PostForm.Get("action"); {
	case action == "cancel":
		s.cancelInteraction(w, ia)
	case action == "signin":
		s.submitCredentials(w, r, ia)
	case action == "wsfed":
		s.acceptWSFedLocked(w, r, ia)
	case action == "mfa":
		ia.mfaDone = true
		s.continueInteraction(w, r, ia)
	case action == "consent", action == "confirm":
		ia.consented = true
		s.state.consents[consentKey(ia.user.ObjectID, ia.app.ClientID)] = true
		s.continueInteraction(w, r, ia)
	case action == "other":
		ia.prompt = "login"
		s.renderSignIn(w, ia, "")
	case strings.HasPrefix(action, "pick:"):
		s.pickAccount(w, r, ia, strings.TrimPrefix(action, "pick:"))
	default:
		s.renderErrorPage(w, http.StatusBadRequest, 900144, "Unknown action.")
	}
}

func (s *Server) submitCredentials(w http.ResponseWriter, r *http.Request, ia *interaction) {
	username, password := r.PostForm.Get("login"), r.PostForm.Get("passwd")
	ia.loginHint = username
	if fed, _ := s.dir.federatedDomain(username); fed != nil {
		// Entra never sees a federated user's password: the user signs
		// in at the domain's AD FS.
		s.redirectToADFS(w, ia, fed, username)
		return
	}
	user, userTenant := s.dir.user(username)
	if user == nil || password != user.Password {
		s.renderSignIn(w, ia, "Your account or password is incorrect.")
		return
	}
	if oerr := userAllowed(ia.segment, ia.tenant, userTenant); oerr != nil {
		s.renderSignIn(w, ia, fmt.Sprintf("AADSTS%d: %s", oerr.code, oerr.message))
		return
	}
	if user.Disabled {
		s.renderSignIn(w, ia, "AADSTS50057: The user account is disabled. Contact your administrator.")
		return
	}
	ia.user, ia.userTenant, ia.authTime, ia.mfaDone = user, userTenant, s.nowLocked(), false
	s.continueInteraction(w, r, ia)
}

func (s *Server) pickAccount(w http.ResponseWriter, r *http.Request, ia *interaction, oid string) {
	sess := s.sessionLocked(r)
	if sess != nil {
		for _, su := range sess.users {
			if su.oid == oid {
				user, userTenant := s.dir.userByOID(oid)
				if user != nil && userAllowed(ia.segment, ia.tenant, userTenant) == nil {
					ia.user, ia.userTenant, ia.authTime, ia.mfaDone = user, userTenant, su.authTime, su.mfa
					ia.prompt = ""
					s.continueInteraction(w, r, ia)
					return
				}
			}
		}
	}
	ia.prompt = "login"
	s.renderSignIn(w, ia, "That account is not signed in here; sign in with it.")
}

// finishInteraction records the browser session and hands the result back:
// a code on the redirect URI, or an approved device code.
func (s *Server) finishInteraction(w http.ResponseWriter, r *http.Request, ia *interaction) {
	delete(s.state.pending, ia.id)
	s.rememberSessionLocked(w, r, ia)
	if ia.mfaDone {
		delete(s.state.challenges, ia.user.ObjectID)
	}
	g := grant{user: ia.user, tenant: ia.userTenant, app: ia.app, scopes: ia.scopes, nonce: ia.nonce,
		authTime: ia.authTime, mfa: ia.mfaDone, claims: ia.claims, withAuthTime: ia.maxAge >= 0}
	if ia.device != nil {
		ia.device.approved = &g
		s.renderMessage(w, http.StatusOK, "You're signed in", fmt.Sprintf("You have signed in to %s on your device. You may now close this window.", ia.app.Name))
		return
	}
	code := randomToken(32)
	s.state.issued = append(s.state.issued, code)
	s.state.codes[code] = &authCode{grant: g, redirectURI: ia.redirectURI, codeChallenge: ia.codeChallenge, issued: s.nowLocked()}
	params := url.Values{"code": {code}, "session_state": {randomGUID()}}
	if ia.state != "" {
		params.Set("state", ia.state)
	}
	if ia.clientInfo {
		info, _ := json.Marshal(map[string]string{"uid": ia.user.ObjectID, "utid": ia.userTenant.ID})
		params.Set("client_info", base64URL(info))
	}
	s.deliver(w, ia, params)
}

func (s *Server) cancelInteraction(w http.ResponseWriter, ia *interaction) {
	delete(s.state.pending, ia.id)
	if ia.device != nil {
		ia.device.declined = true
		s.renderMessage(w, http.StatusOK, "Sign-in cancelled", "You declined to sign in on the other device. You may close this window.")
		return
	}
	s.redirectError(w, ia, authorizeError{"access_denied", 65004, "User declined to consent to access the app."})
}

// redirectError sends an authorization error to the app's redirect URI.
func (s *Server) redirectError(w http.ResponseWriter, ia *interaction, e authorizeError) {
	params := url.Values{
		"error":             {e.err},
		"error_description": {fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s", e.code, e.msg, randomGUID(), randomGUID(), s.nowLocked().UTC().Format("2006-01-02 15:04:05Z"))},
		"error_uri":         {fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", e.code)},
	}
	if ia.state != "" {
		params.Set("state", ia.state)
	}
	delete(s.state.pending, ia.id)
	s.deliver(w, ia, params)
}

// deliver sends parameters to the redirect URI the way response_mode asks.
func (s *Server) deliver(w http.ResponseWriter, ia *interaction, params url.Values) {
	if ia.responseMode == "form_post" {
		s.renderFormPost(w, ia.redirectURI, params)
		return
	}
	target, _ := url.Parse(ia.redirectURI)
	q := target.Query()
	for k, vs := range params {
		q[k] = vs
	}
	target.RawQuery = q.Encode()
	w.Header().Set("Location", target.String())
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusFound)
}

func (s *Server) sessionLocked(r *http.Request) *browserSession {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	return s.state.sessions[c.Value]
}

func (s *Server) rememberSessionLocked(w http.ResponseWriter, r *http.Request, ia *interaction) {
	sess := s.sessionLocked(r)
	if sess == nil {
		id := randomToken(24)
		sess = &browserSession{}
		s.state.sessions[id] = sess
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.ca != nil})
	}
	for i, su := range sess.users {
		if su.oid == ia.user.ObjectID {
			sess.users[i] = sessionUser{oid: su.oid, authTime: ia.authTime, mfa: ia.mfaDone || su.mfa}
			return
		}
	}
	sess.users = append(sess.users, sessionUser{oid: ia.user.ObjectID, authTime: ia.authTime, mfa: ia.mfaDone})
}
