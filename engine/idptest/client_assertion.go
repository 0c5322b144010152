package idptest

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// FederatedCredential is a federated identity credential on an app
// registration: a token from Issuer about Subject, for one of Audiences,
// signed by a key in JWKS, stands in for the app's secret.
type FederatedCredential struct {
	Name    string `json:"name"`
	Issuer  string `json:"issuer"`
	Subject string `json:"subject"`
	// Audiences default to api://AzureADTokenExchange, as in the portal.
	Audiences []string `json:"audiences,omitempty"`
	// JWKS is the issuer's public key set, as its jwks_uri serves it.
	JWKS json.RawMessage `json:"jwks"`
}

const (
	clientAssertionType  = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	defaultFICAudience   = "api://AzureADTokenExchange"
	assertionClockSkew   = 5 * time.Minute
	assertionMaxLifetime = 24 * time.Hour
)

// assertionAlgorithms are the signature algorithms Entra takes in a client
// assertion.
var assertionAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.PS256}

// authenticateClientLocked checks a confidential app's client assertion when
// it sends one, and its secret otherwise.
func (s *Server) authenticateClientLocked(tr tokenRequest) *oauthError {
	if tr.form("client_assertion") == "" || tr.app.Public {
		return authenticateClient(tr)
	}
	if tr.form("client_secret") != "" {
		return errInvalidRequest(90015, "The request must not contain both 'client_assertion' and 'client_secret'.")
	}
	if tr.form("client_assertion_type") != clientAssertionType {
		return errInvalidRequest(70002, "The client_assertion_type must be "+clientAssertionType+".")
	}
	raw := tr.form("client_assertion")
	parsed, err := jose.ParseSignedCompact(raw, assertionAlgorithms)
	if err != nil || len(parsed.Signatures) != 1 {
		return errInvalidClient(50027, "JWT token is invalid or malformed (client_assertion).")
	}
	claims := map[string]any{}
	if err := json.Unmarshal(parsed.UnsafePayloadWithoutVerification(), &claims); err != nil {
		return errInvalidClient(50027, "JWT token is invalid or malformed (client_assertion claims).")
	}
	if iss, _ := claims["iss"].(string); iss == tr.app.ClientID {
		return s.checkCertificateAssertionLocked(tr, raw, parsed, claims)
	}
	return s.checkFederatedAssertionLocked(tr, parsed, claims)
}

// checkCertificateAssertionLocked verifies an assertion the app signed
// itself: a registered certificate's key, audience the token endpoint,
// issuer and subject the app, within its lifetime, jti not seen before.
func (s *Server) checkCertificateAssertionLocked(tr tokenRequest, raw string, parsed *jose.JSONWebSignature, claims map[string]any) *oauthError {
	header, err := rawHeader(raw)
	if err != nil {
		return errInvalidClient(50027, "JWT token is invalid or malformed (client_assertion header).")
	}
	cert := registeredCertificate(tr.app, header)
	if cert == nil {
		return errInvalidClient(700027, fmt.Sprintf("Client assertion failed signature validation. The certificate with the identifier used to sign the client assertion is not registered on application '%s'.", tr.app.ClientID))
	}
	if _, err := parsed.Verify(cert.PublicKey); err != nil {
		return errInvalidClient(700027, "Client assertion failed signature validation.")
	}
	now := s.nowLocked()
	if !now.Before(cert.NotAfter) {
		return errInvalidClient(700027, fmt.Sprintf("Client assertion contains an expired certificate (it expired on %s).", cert.NotAfter.UTC().Format(time.RFC3339)))
	}
	if sub, _ := claims["sub"].(string); sub != tr.app.ClientID {
		return errInvalidClient(700021, "Client assertion application identifier doesn't match 'client_id' parameter.")
	}
	if aud, _ := claims["aud"].(string); !s.isTokenEndpointLocked(aud, tr) {
		return errInvalidClient(700016, fmt.Sprintf("The audience claim of the client assertion, '%s', is not this tenant's token endpoint.", aud))
	}
	exp, oerr := checkAssertionTimes(claims, now)
	if oerr != nil {
		return oerr
	}
	jti, _ := claims["jti"].(string)
	if jti == "" {
		return errInvalidClient(50027, "JWT token is invalid or malformed: the client assertion has no jti.")
	}
	for seen, seenExp := range s.state.clientJTIs {
		if seenExp < now.Unix() {
			delete(s.state.clientJTIs, seen)
		}
	}
	key := tr.app.ClientID + "|" + jti
	if _, replayed := s.state.clientJTIs[key]; replayed {
		return errInvalidClient(50027, "JWT token is invalid or malformed: the client assertion's jti was already used.")
	}
	s.state.clientJTIs[key] = exp
	return nil
}

// checkFederatedAssertionLocked matches a token from another issuer against
// the app's federated identity credentials and verifies it with that
// issuer's keys.
func (s *Server) checkFederatedAssertionLocked(tr tokenRequest, parsed *jose.JSONWebSignature, claims map[string]any) *oauthError {
	iss, _ := claims["iss"].(string)
	sub, _ := claims["sub"].(string)
	auds := audiences(claims["aud"])
	var match *FederatedCredential
	for i := range tr.app.FederatedCredentials {
		fc := &tr.app.FederatedCredentials[i]
		if fc.Issuer == iss && fc.Subject == sub && anyAudience(fc, auds) {
			match = fc
			break
		}
	}
	if match == nil {
		return errInvalidClient(70021, fmt.Sprintf("No matching federated identity record found for presented assertion. Assertion Issuer: '%s'. Assertion Subject: '%s'. Assertion Audience: '%s'.",
			iss, sub, strings.Join(auds, ",")))
	}
	var keys jose.JSONWebKeySet
	if err := json.Unmarshal(match.JWKS, &keys); err != nil {
		return serverError(fmt.Errorf("federated credential %q: jwks: %w", match.Name, err))
	}
	verified := false
	for _, k := range keys.Keys {
		if _, err := parsed.Verify(k.Key); err == nil {
			verified = true
			break
		}
	}
	if !verified {
		return errInvalidClient(50013, "Assertion failed signature validation: no key of the issuer's JWKS verifies it.")
	}
	if _, oerr := checkAssertionTimes(claims, s.nowLocked()); oerr != nil {
		return oerr
	}
	return nil
}

// checkAssertionTimes checks exp and nbf with Entra's five-minute skew and
// returns exp.
func checkAssertionTimes(claims map[string]any, now time.Time) (int64, *oauthError) {
	expF, ok := claims["exp"].(float64)
	if !ok {
		return 0, errInvalidClient(50027, "JWT token is invalid or malformed: the client assertion has no exp.")
	}
	exp := int64(expF)
	nbf, hasNBF := claims["nbf"].(float64)
	if now.Add(-assertionClockSkew).Unix() >= exp || (hasNBF && int64(nbf) > now.Add(assertionClockSkew).Unix()) ||
		exp > now.Add(assertionMaxLifetime).Unix() {
		return 0, errInvalidClient(700024, fmt.Sprintf("Client assertion is not within its valid time range. Current time: %s, assertion valid until: %s.",
			now.UTC().Format(time.RFC3339), time.Unix(exp, 0).UTC().Format(time.RFC3339)))
	}
	return exp, nil
}

// isTokenEndpointLocked reports whether aud names this tenant's token
// endpoint, v2.0 or v1, by the segment used or the tenant's id.
func (s *Server) isTokenEndpointLocked(aud string, tr tokenRequest) bool {
	segments := []string{tr.segment}
	if tr.tenant != nil {
		segments = append(segments, tr.tenant.ID, tr.tenant.Domain)
	}
	for _, seg := range segments {
		for _, path := range []string{"/oauth2/v2.0/token", "/oauth2/token"} {
			if strings.EqualFold(aud, s.url+"/"+seg+path) {
				return true
			}
		}
	}
	return false
}

// rawHeader decodes a compact JWS's protected header.
func rawHeader(token string) (map[string]any, error) {
	part, _, _ := strings.Cut(token, ".")
	data, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return nil, err
	}
	header := map[string]any{}
	return header, json.Unmarshal(data, &header)
}

// registeredCertificate finds the app's certificate named by the header's
// x5t#S256 or x5t thumbprint, or, for subject-name/issuer apps, its x5c
// leaf when that is registered.
func registeredCertificate(app *App, header map[string]any) *x509.Certificate {
	// MSAL Python pads its base64url thumbprints; Entra takes both.
	s256, _ := header["x5t#S256"].(string)
	s1, _ := header["x5t"].(string)
	s256, s1 = strings.TrimRight(s256, "="), strings.TrimRight(s1, "=")
	var leaf []byte
	if x5c, ok := header["x5c"].([]any); ok && len(x5c) > 0 {
		if first, ok := x5c[0].(string); ok {
			leaf, _ = base64.StdEncoding.DecodeString(first)
		}
	}
	for _, p := range app.Certificates {
		block, _ := pem.Decode([]byte(p))
		if block == nil {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			continue
		}
		sum256 := sha256.Sum256(cert.Raw)
		sum1 := sha1.Sum(cert.Raw)
		switch {
		case s256 != "" && subtle.ConstantTimeCompare([]byte(s256), []byte(base64.RawURLEncoding.EncodeToString(sum256[:]))) == 1,
			s1 != "" && s1 == base64.RawURLEncoding.EncodeToString(sum1[:]),
			leaf != nil && string(leaf) == string(cert.Raw):
			return cert
		}
	}
	return nil
}

func audiences(v any) []string {
	switch a := v.(type) {
	case string:
		return []string{a}
	case []any:
		out := make([]string, 0, len(a))
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func anyAudience(fc *FederatedCredential, auds []string) bool {
	want := fc.Audiences
	if len(want) == 0 {
		want = []string{defaultFICAudience}
	}
	for _, a := range auds {
		for _, w := range want {
			if a == w {
				return true
			}
		}
	}
	return false
}

// azpacr is how the app authenticated, as Entra states it in app tokens:
// 1 secret, 2 certificate or assertion.
func azpacr(tr tokenRequest) string {
	if tr.form("client_assertion") != "" {
		return "2"
	}
	return "1"
}

// appRoles are the app's application permissions, never null.
func appRoles(app *App) []string {
	if app.Roles == nil {
		return []string{}
	}
	return app.Roles
}
