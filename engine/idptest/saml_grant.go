package idptest

import (
	"encoding/base64"
	"encoding/xml"
	"strings"
)

// The SAML bearer grants (RFC 7522) with which a client redeems an AD FS
// assertion at Entra's token endpoint: MSAL names SAML 1.1's its own way.
const (
	grantSAML11 = "urn:ietf:params:oauth:grant-type:saml1_1-bearer"
	grantSAML2  = "urn:ietf:params:oauth:grant-type:saml2-bearer"
)

// decodeAssertion reads the assertion parameter: base64url without padding
// as RFC 7522 and MSAL Python send it, or standard base64 as MSAL Go does.
func decodeAssertion(value string) ([]byte, bool) {
	value = strings.TrimSpace(value)
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.StdEncoding, base64.RawStdEncoding} {
		if raw, err := enc.DecodeString(value); err == nil {
			return raw, true
		}
	}
	return nil, false
}

// assertionID reads the id of a SAML 1.1 (AssertionID) or 2.0 (ID)
// assertion, and which version it is.
func assertionID(raw []byte) (id string, saml2 bool, ok bool) {
	var root struct {
		XMLName     xml.Name
		AssertionID string `xml:"AssertionID,attr"`
		ID          string `xml:"ID,attr"`
	}
	if xml.Unmarshal(raw, &root) != nil || root.XMLName.Local != "Assertion" {
		return "", false, false
	}
	switch root.XMLName.Space {
	case samlTokenType11:
		return root.AssertionID, false, root.AssertionID != ""
	case samlTokenType20:
		return root.ID, true, root.ID != ""
	}
	return "", false, false
}

// samlGrantLocked redeems an AD FS assertion for tokens, as Entra does for
// federated users signing in with a username and password.
func (s *Server) samlGrantLocked(tr tokenRequest, scopes scopeRequest, grantType string) (map[string]any, *oauthError) {
	value := tr.form("assertion")
	if value == "" {
		return nil, errInvalidRequest(900144, "The request body must contain the following parameter: 'assertion'.")
	}
	raw, ok := decodeAssertion(value)
	if !ok {
		return nil, errInvalidGrant(50008, "SAML token is invalid: the assertion is not base64 encoded.")
	}
	id, saml2, ok := assertionID(raw)
	if !ok {
		return nil, errInvalidGrant(50008, "SAML token is invalid.")
	}
	if saml2 != (grantType == grantSAML2) {
		return nil, errInvalidGrant(50008, "SAML token is invalid: the assertion's SAML version does not match the grant type "+grantType+".")
	}
	issued := s.state.assertions[id]
	if issued == nil || strings.TrimSpace(string(raw)) != issued.raw {
		return nil, errInvalidGrant(50006, "Signature verification failed because of an invalid signature.")
	}
	now := s.nowLocked()
	if now.Before(issued.notBefore.Add(-timestampSkew)) || !now.Before(issued.notAfter) {
		return nil, errInvalidGrant(500133, "Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token.")
	}
	if oerr := userAllowed(tr.segment, tr.tenant, issued.tenant); oerr != nil {
		return nil, oerr
	}
	g := grant{user: issued.user, tenant: issued.tenant, app: tr.app, scopes: scopes, authTime: issued.notBefore,
		claims: tr.form("claims"), grantType: grantType, federated: true}
	if oerr := s.policyLocked(g, false); oerr != nil {
		return nil, oerr
	}
	resp, err := s.issueLocked(g, tr.form("client_info") == "1")
	if err != nil {
		return nil, serverError(err)
	}
	return resp, nil
}
