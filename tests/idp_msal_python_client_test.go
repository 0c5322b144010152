package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"acctui/engine/idptest"
)

const (
	msalSPClientID = "6e5d4c3b-2a19-4f08-8e7d-6c5b4a392817"
	msalSPSecret   = "msal-python-sp-secret"
)

// TestMSALPythonConfidentialClient checks the emulator's shape for service
// principals against Microsoft's own library: MSAL Python's
// ConfidentialClientApplication gets app tokens with a secret and with a
// certificate (its RS256 assertion with the SHA-1 x5t, and with x5c) and
// with a federated token, and gets Entra's refusals for a wrong secret, an
// unregistered certificate and a federated token no credential trusts.
func TestMSALPythonConfidentialClient(t *testing.T) {
	requireMSALPython(t)
	tmp := t.TempDir()
	now := time.Now()
	cert, err := idptest.NewAppCertificate("msal-python-sp", now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := idptest.NewAppCertificate("stranger", now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := idptest.NewFederatedIssuer("https://oidc.cluster.example")
	if err != nil {
		t.Fatal(err)
	}
	dir := idptest.DefaultDirectory()
	dir.Apps = append(dir.Apps, &idptest.App{ClientID: msalSPClientID, Name: "MSAL Python SP", Secret: msalSPSecret,
		Certificates:         []string{string(cert.CertificatePEM())},
		FederatedCredentials: []idptest.FederatedCredential{issuer.Credential("aks", "system:serviceaccount:prod:deployer")}})
	federated, err := issuer.Token("system:serviceaccount:prod:deployer", "api://AzureADTokenExchange", now, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	otherSubject, err := issuer.Token("system:serviceaccount:dev:deployer", "api://AzureADTokenExchange", now, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(dir)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(tmp, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	dirFile := write("directory.json", raw)
	secretFile := write("secret", []byte(msalSPSecret))
	wrongSecret := write("wrong-secret", []byte("not-the-secret"))
	certFile, keyFile := write("cert.pem", cert.CertificatePEM()), write("key.pem", cert.KeyPEM())
	strangerCert, strangerKey := write("stranger.pem", stranger.CertificatePEM()), write("stranger-key.pem", stranger.KeyPEM())
	federatedFile, otherSubjectFile := write("federated-token", []byte(federated)), write("other-subject-token", []byte(otherSubject))

	e := startEmulatorWith(t, "--directory", dirFile)
	authority := e.ann.Tenants["contoso"].Authority
	base := []string{"client", "--client-id", msalSPClientID, "--authority", authority}
	for _, tc := range []struct {
		name   string
		args   []string
		azpacr string // "" = a refusal with code
		code   int
	}{
		{"secret", []string{"--secret-file", secretFile}, "1", 0},
		{"certificate", []string{"--cert-file", certFile, "--key-file", keyFile}, "2", 0},
		{"certificate x5c", []string{"--cert-file", certFile, "--key-file", keyFile, "--x5c"}, "2", 0},
		{"wrong secret", []string{"--secret-file", wrongSecret}, "", 7000215},
		{"unregistered certificate", []string{"--cert-file", strangerCert, "--key-file", strangerKey}, "", 700027},
		{"federated token", []string{"--assertion-file", federatedFile}, "2", 0},
		{"federated token of another subject", []string{"--assertion-file", otherSubjectFile}, "", 70021},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cache := filepath.Join(tmp, tc.name+".json")
			res := e.runMSAL(t, cache, append(append([]string(nil), base...), tc.args...)...)
			if tc.azpacr == "" {
				if res.OK || res.Error != "invalid_client" || !slices.Contains(res.ErrorCodes, tc.code) {
					t.Fatalf("want invalid_client AADSTS%d, got %+v", tc.code, res)
				}
				return
			}
			if !res.OK || res.AppTokenClaims["azp"] != msalSPClientID || res.AppTokenClaims["idtyp"] != "app" || res.AppTokenClaims["azpacr"] != tc.azpacr {
				t.Fatalf("MSAL Python: %+v", res)
			}
			if res.Cache.AccessTokens != 1 || res.Cache.RefreshTokens != 0 || len(res.Cache.Accounts) != 0 {
				t.Fatalf("MSAL Python's cache after an app token: %+v", res.Cache)
			}
		})
	}
}
