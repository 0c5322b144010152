package idptest

import (
	"encoding/json"
	"strings"
	"time"
)

const (
	defaultAccessTokenLifetime = time.Hour
	defaultRefreshInactivity   = 90 * 24 * time.Hour
	// longLivedThreshold is the access-token lifetime from which Entra adds
	// refresh_in, asking clients to renew at half-life.
	longLivedThreshold = 2 * time.Hour
)

// accessTokenLifetime is the user's lifetime or the default.
func accessTokenLifetime(u *User) time.Duration {
	if u != nil && u.AccessTokenSeconds > 0 {
		return time.Duration(u.AccessTokenSeconds) * time.Second
	}
	return defaultAccessTokenLifetime
}

func refreshInactivity(u *User) time.Duration {
	if u.RefreshInactiveSeconds > 0 {
		return time.Duration(u.RefreshInactiveSeconds) * time.Second
	}
	return defaultRefreshInactivity
}

// issueLocked makes a token response for a user grant and records its
// refresh token. Callers hold s.mu.
func (s *Server) issueLocked(g grant, wantClientInfo bool) (map[string]any, error) {
	now := s.nowLocked()
	lifetime := accessTokenLifetime(g.user)
	issuer := s.url + "/" + g.tenant.ID + "/v2.0"
	accessToken, err := s.accessTokenLocked(g, now, lifetime)
	if err != nil {
		return nil, err
	}
	s.state.issued = append(s.state.issued, accessToken)
	resp := map[string]any{
		"token_type":     "Bearer",
		"scope":          g.scopes.responseScope(g.app),
		"expires_in":     int(lifetime.Seconds()),
		"ext_expires_in": int(lifetime.Seconds()),
		"access_token":   accessToken,
	}
	if lifetime >= longLivedThreshold {
		resp["refresh_in"] = int(lifetime.Seconds()) / 2
	}
	if g.scopes.openid {
		idt := map[string]any{
			"aud":                g.app.ClientID,
			"iss":                issuer,
			"iat":                now.Unix(),
			"nbf":                now.Unix(),
			"exp":                now.Add(time.Hour).Unix(),
			"tid":                g.tenant.ID,
			"oid":                g.user.ObjectID,
			"sub":                pairwiseSubject(g.user.ObjectID, g.app.ClientID),
			"name":               g.user.Name,
			"preferred_username": g.user.Username,
			"ver":                "2.0",
			"uti":                randomToken(16),
		}
		if g.nonce != "" {
			idt["nonce"] = g.nonce
		}
		if g.withAuthTime {
			idt["auth_time"] = g.authTime.Unix()
		}
		idToken, err := s.key.sign(idt)
		if err != nil {
			return nil, err
		}
		resp["id_token"] = idToken
		s.state.issued = append(s.state.issued, idToken)
	}
	if g.scopes.offlineAccess {
		rt := randomToken(48)
		s.state.issued = append(s.state.issued, rt)
		s.state.refresh[rt] = &refreshRecord{
			oid: g.user.ObjectID, clientID: g.app.ClientID, family: g.app.Family,
			mfa: g.mfa, authTime: g.authTime, lastUsed: now,
		}
		resp["refresh_token"] = rt
		if g.app.Family {
			resp["foci"] = "1"
		}
	}
	if wantClientInfo {
		info, _ := json.Marshal(map[string]string{"uid": g.user.ObjectID, "utid": g.tenant.ID})
		resp["client_info"] = base64URL(info)
	}
	return resp, nil
}

// clientCapabilities reads xms_cc values (such as CP1) from a claims
// request, so access tokens say which capabilities the client declared.
func clientCapabilities(claims string) []string {
	if claims == "" {
		return nil
	}
	var parsed struct {
		AccessToken struct {
			XmsCC struct {
				Values []string `json:"values"`
			} `json:"xms_cc"`
		} `json:"access_token"`
	}
	if json.Unmarshal([]byte(claims), &parsed) != nil {
		return nil
	}
	return parsed.AccessToken.XmsCC.Values
}

// claimsSatisfy reports whether a claims request answers a challenge: every
// policy id of the challenge appears in the request.
func claimsSatisfy(request string, c *claimsChallenge) bool {
	return request != "" && strings.Contains(request, c.policyID)
}
