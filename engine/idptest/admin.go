package idptest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// RevokeRefreshTokens revokes every refresh token of a user, as a password
// reset or an admin's "revoke sessions" does: redeeming one gives AADSTS50173.
func (s *Server) RevokeRefreshTokens(username string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	user, _ := s.dir.user(username)
	if user == nil {
		return fmt.Errorf("idptest: no user %q", username)
	}
	for _, rec := range s.state.refresh {
		if rec.oid == user.ObjectID {
			rec.revoked = true
		}
	}
	for _, sess := range s.state.sessions {
		kept := sess.users[:0]
		for _, su := range sess.users {
			if su.oid != user.ObjectID {
				kept = append(kept, su)
			}
		}
		sess.users = kept
	}
	return nil
}

// SetTokenLifetimes changes a user's access-token lifetime and how long a
// refresh token may sit unused; a zero duration leaves that one as it is.
func (s *Server) SetTokenLifetimes(username string, accessToken, refreshInactivity time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	user, _ := s.dir.user(username)
	if user == nil {
		return fmt.Errorf("idptest: no user %q", username)
	}
	if accessToken > 0 {
		user.AccessTokenSeconds = int(accessToken.Seconds())
	}
	if refreshInactivity > 0 {
		user.RefreshInactiveSeconds = int(refreshInactivity.Seconds())
	}
	return nil
}

// RequireClaimsChallenge makes token requests for the user fail with
// interaction_required and a claims challenge, until a request carries the
// returned claims (and, when interactive is set, until the user signs in
// interactively). It returns the challenge.
func (s *Server) RequireClaimsChallenge(username string, interactive bool) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	user, _ := s.dir.user(username)
	if user == nil {
		return "", fmt.Errorf("idptest: no user %q", username)
	}
	policy := randomGUID()
	c := &claimsChallenge{
		policyID:    policy,
		interactive: interactive,
		claims:      fmt.Sprintf(`{"access_token":{"capolids":{"essential":true,"values":["%s"]}}}`, policy),
	}
	s.state.challenges[user.ObjectID] = c
	return c.claims, nil
}

// ApproveDeviceCode signs the user in on the device page and approves the
// code, as a person would in a browser.
func (s *Server) ApproveDeviceCode(userCode, username string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.approveDeviceLocked(userCode, username, true)
}

// DeclineDeviceCode declines the code, as a person pressing Cancel would.
func (s *Server) DeclineDeviceCode(userCode string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.approveDeviceLocked(userCode, "", false)
}

// GrantConsent records that a user consented to an app.
func (s *Server) GrantConsent(username, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	user, _ := s.dir.user(username)
	if user == nil {
		return fmt.Errorf("idptest: no user %q", username)
	}
	s.state.consents[consentKey(user.ObjectID, clientID)] = true
	return nil
}

// IssuedSecrets returns every secret the server has handed out: access,
// ID and refresh tokens, authorization codes and device codes. Leak tests
// look for each in logs, files and screens.
func (s *Server) IssuedSecrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.state.issued...)
}

// adminRequest is the union of the admin endpoints' JSON bodies.
type adminRequest struct {
	Username               string `json:"username"`
	AccessTokenSeconds     int    `json:"access_token_seconds"`
	RefreshInactiveSeconds int    `json:"refresh_inactive_seconds"`
	Interactive            bool   `json:"interactive"`
	UserCode               string `json:"user_code"`
	Approve                bool   `json:"approve"`
	AdvanceSeconds         int    `json:"advance_seconds"`
	ClientID               string `json:"client_id"`
}

// adminRoutes serves the control API under /_admin/ for tests that drive
// the built binary and can only speak HTTP.
func (s *Server) adminRoutes(mux *http.ServeMux) {
	handle := func(pattern string, fn func(adminRequest) (any, error)) {
		mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			var req adminRequest
			if r.Method == http.MethodPost && r.ContentLength != 0 {
				if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBytes)).Decode(&req); err != nil {
					writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad JSON: " + err.Error()})
					return
				}
			}
			out, err := fn(req)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
			if out == nil {
				out = map[string]bool{"ok": true}
			}
			writeJSON(w, http.StatusOK, out)
		})
	}
	handle("POST /_admin/revoke", func(req adminRequest) (any, error) {
		return nil, s.RevokeRefreshTokens(req.Username)
	})
	handle("POST /_admin/lifetime", func(req adminRequest) (any, error) {
		return nil, s.SetTokenLifetimes(req.Username, time.Duration(req.AccessTokenSeconds)*time.Second, time.Duration(req.RefreshInactiveSeconds)*time.Second)
	})
	handle("POST /_admin/claims-challenge", func(req adminRequest) (any, error) {
		claims, err := s.RequireClaimsChallenge(req.Username, req.Interactive)
		return map[string]string{"claims": claims}, err
	})
	handle("POST /_admin/device", func(req adminRequest) (any, error) {
		if req.Approve {
			return nil, s.ApproveDeviceCode(req.UserCode, req.Username)
		}
		return nil, s.DeclineDeviceCode(req.UserCode)
	})
	handle("POST /_admin/consent", func(req adminRequest) (any, error) {
		return nil, s.GrantConsent(req.Username, req.ClientID)
	})
	handle("POST /_admin/clock", func(req adminRequest) (any, error) {
		s.Advance(time.Duration(req.AdvanceSeconds) * time.Second)
		return map[string]int64{"now": s.Now().Unix()}, nil
	})
	handle("GET /_admin/requests", func(adminRequest) (any, error) {
		return s.Requests(), nil
	})
	handle("GET /_admin/requests/arrived", func(adminRequest) (any, error) {
		return s.Arrived(), nil
	})
	handle("GET /_admin/issued", func(adminRequest) (any, error) {
		return s.IssuedSecrets(), nil
	})
	handle("DELETE /_admin/requests", func(adminRequest) (any, error) {
		s.ResetRequests()
		return nil, nil
	})
	handle("DELETE /_admin/faults", func(adminRequest) (any, error) {
		s.ClearFaults()
		return nil, nil
	})
	mux.HandleFunc("POST /_admin/faults", func(w http.ResponseWriter, r *http.Request) {
		var f Fault
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxFormBytes)).Decode(&f); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "bad JSON: " + err.Error()})
			return
		}
		if err := s.InjectFault(f); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
}
