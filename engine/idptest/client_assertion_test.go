package idptest

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

const certAppID = "2b7e1c9d-0a3f-4e5b-8c6d-9e0f1a2b3c4d"

// startWithCertApp starts a server with one app that has a registered
// certificate and returns the certificate.
func startWithCertApp(t *testing.T) (*Server, *AppCertificate) {
	t.Helper()
	now := time.Now()
	cert, err := NewAppCertificate("cert-app", now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	dir := DefaultDirectory()
	dir.Apps = append(dir.Apps, &App{ClientID: certAppID, Name: "Cert App", Certificates: []string{string(cert.CertificatePEM())}})
	return Start(t, Options{TLS: true, Directory: dir}), cert
}

// assertion signs claims as the app would, with the x5t#S256 header.
func assertion(t *testing.T, cert *AppCertificate, claims map[string]any) string {
	t.Helper()
	sum := sha256.Sum256(cert.Certificate.Raw)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.PS256, Key: cert.Key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("x5t#S256", base64.RawURLEncoding.EncodeToString(sum[:])))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func assertionForm(tok string) url.Values {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {certAppID}, "scope": {"https://graph.microsoft.com/.default"},
		"client_assertion_type": {clientAssertionType}, "client_assertion": {tok}}
}

// TestClientAssertionChecks checks each rule Entra applies to a certificate
// assertion: audience, issuer/subject, lifetime, and jti replay.
func TestClientAssertionChecks(t *testing.T) {
	srv, cert := startWithCertApp(t)
	now := srv.Now()
	endpoint := srv.URL() + "/" + ContosoTenantID + "/oauth2/v2.0/token"
	good := func(jti string) map[string]any {
		return map[string]any{"aud": endpoint, "iss": certAppID, "sub": certAppID, "jti": jti,
			"nbf": now.Unix(), "exp": now.Add(10 * time.Minute).Unix()}
	}
	with := func(jti, k string, v any) map[string]any { c := good(jti); c[k] = v; return c }

	status, body := postToken(t, srv, ContosoTenantID, assertionForm(assertion(t, cert, good("first"))))
	if status != http.StatusOK || body["access_token"] == nil {
		t.Fatalf("good assertion: HTTP %d %v", status, body)
	}
	for _, tc := range []struct {
		name   string
		claims map[string]any
		code   int
	}{
		{"replayed jti", good("first"), 50027},
		{"other audience", with("a", "aud", srv.URL()+"/"+FabrikamTenantID+"/oauth2/v2.0/token"), 700016},
		{"other subject", with("b", "sub", ConfidentialClientID), 700021},
		{"expired", with("c", "exp", now.Add(-10*time.Minute).Unix()), 700024},
		{"no jti", with("", "jti", ""), 50027},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := postToken(t, srv, ContosoTenantID, assertionForm(assertion(t, cert, tc.claims)))
			wantError(t, status, body, http.StatusUnauthorized, "invalid_client", tc.code)
		})
	}
	t.Run("tampered signature", func(t *testing.T) {
		tok := assertion(t, cert, good("d"))
		tok = tok[:len(tok)-4] + "AAAA"
		status, body := postToken(t, srv, ContosoTenantID, assertionForm(tok))
		wantError(t, status, body, http.StatusUnauthorized, "invalid_client", 700027)
	})
}
