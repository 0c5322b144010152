package idptest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
)

// The other authority shapes, served by the same directory and sign-in
// pages: Azure AD B2C (a policy in the path), AD FS (/adfs, no /v2.0, no
// client_info, an ID token keyed by sub), and generic OpenID Connect
// providers under /oidc/{variant}. Each delegates to the Entra handlers
// with the default tenant and reshapes their answer.

// OIDC provider variants, the {variant} of /oidc/{variant}: how a generic
// provider differs from the plain one.
const (
	// OIDCPlain is a plain provider: aud a string, rotating refresh tokens.
	OIDCPlain = "plain"
	// OIDCAudArray sends aud as an array.
	OIDCAudArray = "aud-array"
	// OIDCNoRotate never returns a new refresh token on refresh.
	OIDCNoRotate = "no-rotate"
	// OIDCNoDevice has no device_authorization_endpoint.
	OIDCNoDevice = "no-device"
	// OIDCOtherHost names a token endpoint on another host.
	OIDCOtherHost = "other-host"
	// OIDCWrongIssuer names another issuer than its own address.
	OIDCWrongIssuer = "wrong-issuer"
	// OIDCStrict refuses Entra-only parameters (client_info, claims) and
	// headers (x-client-SKU, X-AnchorMailbox) with invalid_request.
	OIDCStrict = "strict"
)

var oidcVariants = map[string]bool{OIDCPlain: true, OIDCAudArray: true, OIDCNoRotate: true, OIDCNoDevice: true,
	OIDCOtherHost: true, OIDCWrongIssuer: true, OIDCStrict: true}

// OIDCIssuer is the issuer of a generic provider variant.
func (s *Server) OIDCIssuer(variant string) string { return s.url + "/oidc/" + variant }

// ADFSAuthority is the AD FS authority, https://{host}/adfs.
func (s *Server) ADFSAuthority() string { return s.url + "/adfs" }

// B2CAuthority is a B2C authority with a custom domain: the tenant's
// domain and a B2C_ policy in the path.
func (s *Server) B2CAuthority(policy string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url + "/" + s.defaultTenantLocked().Domain + "/" + policy
}

func (s *Server) kindRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /{tenant}/{policy}/v2.0/.well-known/openid-configuration", s.endpoint(EndpointOpenIDConfiguration, s.handleB2CConfiguration))
	mux.HandleFunc("GET /{tenant}/{policy}/oauth2/v2.0/authorize", s.endpoint(EndpointAuthorize, s.b2c(s.handleAuthorize)))
	mux.HandleFunc("POST /{tenant}/{policy}/oauth2/v2.0/token", s.endpoint(EndpointToken, s.b2c(s.reshape(s.handleToken, s.b2cAnswer))))
	mux.HandleFunc("GET /adfs/.well-known/openid-configuration", s.endpoint(EndpointOpenIDConfiguration, s.handleADFSConfiguration))
	// AD FS names its endpoints with a trailing slash.
	mux.HandleFunc("GET /adfs/oauth2/authorize/{$}", s.endpoint(EndpointAuthorize, s.defaultTenant(s.handleAuthorize)))
	mux.HandleFunc("POST /adfs/oauth2/token/{$}", s.endpoint(EndpointToken, s.defaultTenant(s.reshape(s.handleToken, s.adfsAnswer))))
	mux.HandleFunc("POST /adfs/oauth2/devicecode", s.endpoint(EndpointDeviceCode, s.defaultTenant(s.handleDeviceCode)))
	// One literal path per variant: /oidc/{variant}/.well-known/... would
	// overlap Entra's /{tenant}/v2.0/.well-known/... pattern.
	for variant := range oidcVariants {
		base := "/oidc/" + variant
		named := func(h http.HandlerFunc) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				r.SetPathValue("variant", variant)
				h(w, r)
			}
		}
		mux.HandleFunc("GET "+base+"/.well-known/openid-configuration", s.endpoint(EndpointOpenIDConfiguration, named(s.handleOIDCConfiguration)))
		mux.HandleFunc("GET "+base+"/authorize", s.endpoint(EndpointAuthorize, named(s.oidc(s.handleAuthorize))))
		mux.HandleFunc("POST "+base+"/token", s.endpoint(EndpointToken, named(s.oidc(s.reshape(s.handleToken, s.oidcAnswer)))))
		mux.HandleFunc("POST "+base+"/device", s.endpoint(EndpointDeviceCode, named(s.oidc(s.handleDeviceCode))))
	}
}

// publicBase is the emulator's address as the client named it: a B2C or
// CIAM host name reached through the test's resolver stays in the
// endpoints, as the real services name their own host.
func (s *Server) publicBase(r *http.Request) string {
	host := strings.ToLower(r.Host)
	if strings.HasSuffix(host, ".b2clogin.com") || strings.HasSuffix(host, ".ciamlogin.com") {
		return "https://" + host
	}
	return s.url
}

// defaultTenant serves a tenant-less path as the default tenant.
func (s *Server) defaultTenant(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		id := s.defaultTenantLocked().ID
		s.mu.Unlock()
		r.SetPathValue("tenant", id)
		h(w, r)
	}
}

// b2c refuses a path whose policy is not a B2C_ user flow or policy.
func (s *Server) b2c(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(strings.ToLower(r.PathValue("policy")), "b2c_") {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}
}

// oidc serves a known variant as the default tenant, refusing Entra-only
// parameters for the strict one.
func (s *Server) oidc(h http.HandlerFunc) http.HandlerFunc {
	return s.defaultTenant(func(w http.ResponseWriter, r *http.Request) {
		variant := r.PathValue("variant")
		if !oidcVariants[variant] {
			http.NotFound(w, r)
			return
		}
		if variant == OIDCStrict {
			if refused := entraOnlyParameter(r); refused != "" {
				writeJSONNoStore(w, http.StatusBadRequest, map[string]any{"error": "invalid_request",
					"error_description": "unsupported parameter: " + refused})
				return
			}
		}
		// RFC 6749 §6: a refresh without scope covers what was granted.
		_ = r.ParseForm()
		if r.PostForm.Get("grant_type") == "refresh_token" && r.PostForm.Get("scope") == "" {
			r.PostForm.Set("scope", "openid profile offline_access")
		}
		h(w, r)
	})
}

// entraOnlyParameter names the first Entra-only parameter or header of a
// request, or "".
func entraOnlyParameter(r *http.Request) string {
	_ = r.ParseForm()
	for _, p := range []string{"client_info", "claims", "domain_hint", "X-AnchorMailbox"} {
		if r.Form.Has(p) {
			return p
		}
	}
	if r.Form.Get("prompt") == "select_account" {
		return "prompt=select_account"
	}
	for _, h := range []string{"x-client-SKU", "X-AnchorMailbox"} {
		if r.Header.Get(h) != "" {
			return h
		}
	}
	return ""
}

// reshape runs h into a buffer and lets fix change a successful JSON
// answer before it is written.
func (s *Server) reshape(h http.HandlerFunc, fix func(r *http.Request, body map[string]any) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h(rec, r)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		var body map[string]any
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		if err := fix(r, body); err != nil {
			serverError(err).write(w, r, s.Now())
			return
		}
		writeJSONNoStore(w, http.StatusOK, body)
	}
}

// idTokenClaims reads the claims of an ID token this server signed.
func idTokenClaims(token string) map[string]any {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var claims map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&claims) != nil {
		return nil
	}
	return claims
}

// resign replaces the answer's ID token with one of other claims.
func (s *Server) resign(body map[string]any, change func(claims map[string]any)) error {
	token, _ := body["id_token"].(string)
	claims := idTokenClaims(token)
	if claims == nil {
		return nil
	}
	change(claims)
	signed, err := s.key.sign(claims)
	if err != nil {
		return err
	}
	body["id_token"] = signed
	s.mu.Lock()
	s.state.issued = append(s.state.issued, signed)
	s.mu.Unlock()
	return nil
}

// b2cAnswer gives client_info B2C's uid, the object id with the policy:
// one user's accounts under two policies are two accounts.
func (s *Server) b2cAnswer(r *http.Request, body map[string]any) error {
	raw, _ := body["client_info"].(string)
	decoded, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || raw == "" {
		return nil
	}
	var info map[string]string
	if json.Unmarshal(decoded, &info) != nil {
		return nil
	}
	info["uid"] += "-" + strings.ToLower(r.PathValue("policy"))
	encoded, _ := json.Marshal(info)
	body["client_info"] = base64URL(encoded)
	return nil
}

// adfsAnswer is AD FS's answer: no client_info, no foci, an ID token with
// upn and unique_name, a sub of its own, no oid or tid.
func (s *Server) adfsAnswer(r *http.Request, body map[string]any) error {
	delete(body, "client_info")
	delete(body, "foci")
	return s.resign(body, func(c map[string]any) {
		username := c["preferred_username"]
		c["iss"] = s.url + "/adfs"
		c["sub"] = "adfs-" + fmt.Sprint(c["sub"])
		c["upn"], c["unique_name"], c["ver"] = username, username, "1.0"
		for _, entraOnly := range []string{"oid", "tid", "preferred_username", "uti"} {
			delete(c, entraOnly)
		}
	})
}

// oidcAnswer is a generic provider's answer: no client_info, no foci,
// the ID token from its issuer with sub the user's object id (the same
// sub at every variant, as two providers may well number users alike).
func (s *Server) oidcAnswer(r *http.Request, body map[string]any) error {
	variant := r.PathValue("variant")
	delete(body, "client_info")
	delete(body, "foci")
	delete(body, "ext_expires_in")
	delete(body, "refresh_in")
	if variant == OIDCNoRotate && r.PostForm.Get("grant_type") == "refresh_token" {
		delete(body, "refresh_token")
	}
	return s.resign(body, func(c map[string]any) {
		c["iss"] = s.OIDCIssuer(variant)
		c["sub"] = c["oid"]
		if variant == OIDCAudArray {
			c["aud"] = []any{c["aud"], "https://api.example"}
		}
		for _, entraOnly := range []string{"oid", "tid", "uti", "ver"} {
			delete(c, entraOnly)
		}
	})
}

// handleB2CConfiguration is GET /{tenant}/{policy}/v2.0/.well-known/openid-configuration.
func (s *Server) handleB2CConfiguration(w http.ResponseWriter, r *http.Request) {
	policy := r.PathValue("policy")
	if !strings.HasPrefix(strings.ToLower(policy), "b2c_") {
		http.NotFound(w, r)
		return
	}
	s.mu.Lock()
	tenant, oerr := s.resolveSegmentLocked(r.PathValue("tenant"))
	s.mu.Unlock()
	if oerr != nil || tenant == nil {
		http.NotFound(w, r)
		return
	}
	base := s.publicBase(r) + "/" + r.PathValue("tenant") + "/" + policy
	// B2C offers no device code flow: no device_authorization_endpoint.
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                   s.publicBase(r) + "/" + tenant.ID + "/v2.0/",
		"authorization_endpoint":   base + "/oauth2/v2.0/authorize",
		"token_endpoint":           base + "/oauth2/v2.0/token",
		"end_session_endpoint":     base + "/oauth2/v2.0/logout",
		"jwks_uri":                 base + "/discovery/v2.0/keys",
		"response_modes_supported": []string{"query", "fragment", "form_post"},
		"response_types_supported": []string{"code", "code id_token", "code token", "code id_token token", "id_token", "id_token token", "token", "token id_token"},
		"scopes_supported":         []string{"openid"},
		"subject_types_supported":  []string{"pairwise"},
		"claims_supported":         []string{"name", "sub", "idp", "tfp", "iss", "iat", "exp", "aud", "acr", "nonce", "auth_time"},
	})
}

// handleADFSConfiguration is GET /adfs/.well-known/openid-configuration.
func (s *Server) handleADFSConfiguration(w http.ResponseWriter, r *http.Request) {
	base := s.url + "/adfs"
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                        base,
		"authorization_endpoint":        base + "/oauth2/authorize/",
		"token_endpoint":                base + "/oauth2/token/",
		"device_authorization_endpoint": base + "/oauth2/devicecode",
		"jwks_uri":                      base + "/discovery/keys",
		"userinfo_endpoint":             base + "/userinfo",
		"end_session_endpoint":          base + "/oauth2/logout",
		"response_types_supported":      []string{"code", "id_token", "code id_token", "id_token token", "code token", "code id_token token"},
		"grant_types_supported":         []string{"authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer", "implicit", "password", "srv_challenge", "urn:ietf:params:oauth:grant-type:device_code", "device_code"},
		"scopes_supported":              []string{"openid", "profile", "email", "allatclaims", "logon_cert", "aza", "vpn_cert", "user_impersonation"},
		"subject_types_supported":       []string{"pairwise"},
		"access_token_issuer":           "http://" + s.Host() + "/adfs/services/trust",
	})
}

// handleOIDCConfiguration is GET /oidc/{variant}/.well-known/openid-configuration.
func (s *Server) handleOIDCConfiguration(w http.ResponseWriter, r *http.Request) {
	variant := r.PathValue("variant")
	if !oidcVariants[variant] {
		http.NotFound(w, r)
		return
	}
	issuer := s.OIDCIssuer(variant)
	doc := map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                issuer + "/authorize",
		"token_endpoint":                        issuer + "/token",
		"device_authorization_endpoint":         issuer + "/device",
		"jwks_uri":                              s.url + "/common/discovery/v2.0/keys",
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code", "password"},
		"scopes_supported":                      []string{"openid", "profile", "offline_access"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
	}
	switch variant {
	case OIDCNoDevice:
		delete(doc, "device_authorization_endpoint")
		doc["grant_types_supported"] = []string{"authorization_code", "refresh_token"}
	case OIDCOtherHost:
		doc["token_endpoint"] = strings.Replace(issuer, "127.0.0.1", "localhost", 1) + "/token"
	case OIDCWrongIssuer:
		doc["issuer"] = s.OIDCIssuer(OIDCPlain)
	}
	writeJSON(w, http.StatusOK, doc)
}
