package idptest

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const (
	cli        = AzureCLIClientID
	powershell = AzurePowerShellClientID
	graphScope = "https://graph.microsoft.com/.default openid profile offline_access"
)

// startTLS starts a TLS server with the default directory and a one-second
// device-code interval so polling tests stay quick.
func startTLS(t *testing.T) *Server {
	t.Helper()
	return Start(t, Options{TLS: true, DeviceCodeInterval: time.Second})
}

// call sends a request and decodes a JSON answer.
func call(t *testing.T, srv *Server, method, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(context.Background(), method, srv.URL()+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("client-request-id", "11111111-2222-3333-4444-555555555555")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("%s %s: HTTP %d, not JSON: %.200s", method, path, resp.StatusCode, raw)
	}
	return resp.StatusCode, out
}

func postToken(t *testing.T, srv *Server, tenant string, form url.Values) (int, map[string]any) {
	t.Helper()
	return call(t, srv, http.MethodPost, "/"+tenant+"/oauth2/v2.0/token", form)
}

func passwordForm(clientID, username, password, scope string) url.Values {
	return url.Values{"grant_type": {"password"}, "client_id": {clientID}, "username": {username},
		"password": {password}, "scope": {scope}, "client_info": {"1"}}
}

// wantError checks an Entra error answer: the OAuth error, the AADSTS code
// in error_codes and at the start of error_description, and the echoed
// correlation id.
func wantError(t *testing.T, status int, body map[string]any, wantStatus int, wantErr string, wantCode int) {
	t.Helper()
	if status != wantStatus || body["error"] != wantErr {
		t.Fatalf("got HTTP %d %v, want HTTP %d %s", status, body, wantStatus, wantErr)
	}
	codes, _ := body["error_codes"].([]any)
	if len(codes) != 1 || int(codes[0].(float64)) != wantCode {
		t.Fatalf("error_codes = %v, want [%d]", body["error_codes"], wantCode)
	}
	desc, _ := body["error_description"].(string)
	if !strings.HasPrefix(desc, "AADSTS"+strconv.Itoa(wantCode)+": ") {
		t.Fatalf("error_description = %q, want AADSTS%d prefix", desc, wantCode)
	}
	if body["correlation_id"] != "11111111-2222-3333-4444-555555555555" || body["trace_id"] == "" || body["timestamp"] == "" {
		t.Fatalf("diagnostic fields wrong: %v", body)
	}
}

// verifiedClaims checks a JWT's RS256 signature against the server's JWKS
// and returns its claims.
func verifiedClaims(t *testing.T, srv *Server, token string) map[string]any {
	t.Helper()
	status, _ := call(t, srv, http.MethodGet, "/common/discovery/v2.0/keys", nil)
	if status != http.StatusOK {
		t.Fatalf("keys: HTTP %d", status)
	}
	resp, err := srv.Client().Get(srv.URL() + "/common/discovery/v2.0/keys")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(resp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("parse JWT: %v", err)
	}
	keys := set.Key(parsed.Headers[0].KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in JWKS", parsed.Headers[0].KeyID)
	}
	claims := map[string]any{}
	if err := parsed.Claims(keys[0].Key, &claims); err != nil {
		t.Fatalf("signature: %v", err)
	}
	return claims
}

func pkcePair(verifier string) (string, string) {
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64URL(sum[:])
}

// authorizeURL builds an authorization request for the CLI app with PKCE.
func authorizeURL(srv *Server, tenant string, extra url.Values) string {
	q := url.Values{
		"client_id": {cli}, "response_type": {"code"}, "redirect_uri": {"http://localhost:8400"},
		"scope": {graphScope}, "state": {"state-123"}, "nonce": {"nonce-456"},
	}
	for k, v := range extra {
		q[k] = v
	}
	return srv.URL() + "/" + tenant + "/oauth2/v2.0/authorize?" + q.Encode()
}

// graphClaims checks a Graph access token as only Graph can: the header
// carries a nonce, the signature covers the header with the nonce's
// SHA-256 in its place. It fails the test if the token verifies as a plain
// JWT (Entra's Graph tokens do not) and returns the claims.
func graphClaims(t *testing.T, srv *Server, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("Graph access token is not a JWT")
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var header map[string]any
	if err := json.Unmarshal(raw, &header); err != nil {
		t.Fatal(err)
	}
	nonce, _ := header["nonce"].(string)
	if nonce == "" {
		t.Fatalf("Graph access token header %v has no nonce", header)
	}
	if parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256}); err == nil {
		var c map[string]any
		if parsed.Claims(&srv.key.public, &c) == nil {
			t.Errorf("a Graph access token verified as a plain JWT; Entra's do not")
		}
	}
	sum := sha256.Sum256([]byte(nonce))
	header["nonce"] = base64URL(sum[:])
	hashed, _ := json.Marshal(header)
	return verifiedClaims(t, srv, base64URL(hashed)+"."+parts[1]+"."+parts[2])
}
