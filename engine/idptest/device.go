package idptest

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// slowDownTolerance forgives polls that arrive a little early: a client
// that sleeps the interval between polls must never see slow_down.
const slowDownTolerance = 250 * time.Millisecond

// handleDeviceCode is POST /{tenant}/oauth2/v2.0/devicecode.
func (s *Server) handleDeviceCode(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	segment := r.PathValue("tenant")
	if _, oerr := s.resolveSegmentLocked(segment); oerr != nil {
		oerr.write(w, r, s.nowLocked())
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		errInvalidRequest(900144, "The request body could not be read.").write(w, r, s.nowLocked())
		return
	}
	app := s.dir.app(r.PostForm.Get("client_id"))
	if app == nil {
		errUnknownClient(r.PostForm.Get("client_id"), segment).write(w, r, s.nowLocked())
		return
	}
	if !app.Public {
		newOAuthError(http.StatusBadRequest, "unauthorized_client", 700025, "The device code flow is only for public client applications.").write(w, r, s.nowLocked())
		return
	}
	scopes, oerr := parseScopes(r.PostForm.Get("scope"))
	if oerr != nil {
		oerr.write(w, r, s.nowLocked())
		return
	}
	now := s.nowLocked()
	dc := &deviceCode{
		clientID: app.ClientID, tenant: segment, scopes: scopes, claims: r.PostForm.Get("claims"),
		userCode: userCode(), expires: now.Add(s.opts.DeviceCodeLifetime), createdAt: now,
	}
	deviceCodeValue := randomToken(64)
	s.state.issued = append(s.state.issued, deviceCodeValue)
	s.state.devices[deviceCodeValue] = dc
	s.state.userCodes[dc.userCode] = dc
	verification := s.url + "/devicelogin"
	writeJSONNoStore(w, http.StatusOK, map[string]any{
		"user_code":        dc.userCode,
		"device_code":      deviceCodeValue,
		"verification_uri": verification,
		"expires_in":       int(s.opts.DeviceCodeLifetime.Seconds()),
		"interval":         int(s.opts.DeviceCodeInterval.Seconds()),
		"message":          fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", verification, dc.userCode),
	})
}

// redeemDeviceCodeLocked answers a device-code poll.
func (s *Server) redeemDeviceCodeLocked(tr tokenRequest) (map[string]any, *oauthError) {
	value := tr.form("device_code")
	if value == "" {
		value = tr.form("code") // MSAL Python also sends the legacy name
	}
	dc := s.state.devices[value]
	now := s.nowLocked()
	if dc == nil || !strings.EqualFold(dc.clientID, tr.app.ClientID) || dc.redeemed {
		return nil, errInvalidGrant(70000, "The provided value for the input parameter 'device_code' is not valid.")
	}
	tooSoon := !dc.lastPoll.IsZero() && now.Sub(dc.lastPoll) < s.opts.DeviceCodeInterval-slowDownTolerance
	dc.lastPoll = now
	switch {
	case now.After(dc.expires):
		return nil, newOAuthError(http.StatusBadRequest, "expired_token", 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.")
	case dc.declined:
		return nil, newOAuthError(http.StatusBadRequest, "access_denied", 70000, "The user has declined the authorization request.")
	case tooSoon:
		return nil, newOAuthError(http.StatusBadRequest, "slow_down", 70016, "OAuth 2.0 device flow error. The client is polling too fast; add 5 seconds to the interval.")
	case dc.approved == nil:
		return nil, newOAuthError(http.StatusBadRequest, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
	}
	g := *dc.approved
	g.grantType = grantDeviceCode
	if oerr := userAllowed(dc.tenant, tr.tenant, g.tenant); oerr != nil {
		return nil, oerr
	}
	if oerr := s.policyLocked(g, true); oerr != nil {
		return nil, oerr
	}
	dc.redeemed = true
	resp, err := s.issueLocked(g, tr.form("client_info") == "1")
	if err != nil {
		return nil, serverError(err)
	}
	return resp, nil
}

// handleDeviceLoginPage is GET /devicelogin: the page where a person types
// the code shown on the other device.
func (s *Server) handleDeviceLoginPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.renderDeviceEntry(w, r.URL.Query().Get("otc"), "")
}

// handleDeviceLoginSubmit is POST /devicelogin: the code was entered.
func (s *Server) handleDeviceLoginSubmit(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.renderErrorPage(w, http.StatusBadRequest, 900144, "The form could not be read.")
		return
	}
	code := normaliseUserCode(r.PostForm.Get("otc"))
	dc := s.state.userCodes[code]
	now := s.nowLocked()
	if dc == nil || now.After(dc.expires) || dc.approved != nil || dc.declined {
		s.renderDeviceEntry(w, code, "That code didn't work. Check the code and try again.")
		return
	}
	tenant, _ := s.resolveSegmentLocked(dc.tenant)
	ia := &interaction{
		id: randomToken(24), segment: dc.tenant, tenant: tenant, app: s.dir.app(dc.clientID),
		scopes: dc.scopes, claims: dc.claims, created: now, device: dc, maxAge: -1,
	}
	s.state.pending[ia.id] = ia
	s.continueInteraction(w, r, ia)
}

// approveDeviceLocked is the admin shortcut for a person approving or
// declining a device code on the device page.
func (s *Server) approveDeviceLocked(code, username string, approve bool) error {
	dc := s.state.userCodes[normaliseUserCode(code)]
	if dc == nil {
		return fmt.Errorf("idptest: no device code %q", code)
	}
	if !approve {
		dc.declined = true
		return nil
	}
	user, userTenant := s.dir.user(username)
	if user == nil {
		return fmt.Errorf("idptest: no user %q", username)
	}
	tenant, _ := s.resolveSegmentLocked(dc.tenant)
	if oerr := userAllowed(dc.tenant, tenant, userTenant); oerr != nil {
		return fmt.Errorf("idptest: %s", oerr.Error())
	}
	app := s.dir.app(dc.clientID)
	s.state.consents[consentKey(user.ObjectID, app.ClientID)] = true
	delete(s.state.challenges, user.ObjectID)
	dc.approved = &grant{user: user, tenant: userTenant, app: app, scopes: dc.scopes,
		authTime: s.nowLocked(), mfa: true, claims: dc.claims}
	return nil
}

func normaliseUserCode(code string) string {
	return strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
}
