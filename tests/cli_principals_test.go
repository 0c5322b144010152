package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"acctui/engine"
	"acctui/engine/idptest"

	"software.sslmate.com/src/go-pkcs12"
)

const (
	cliSPClientID = "4c3b2a19-0f8e-4d7c-9b6a-5f4e3d2c1b0a"
	cliSPSecret   = "cli-sp-secret-Sentinel-5d1e"
	cliFICIssuer  = "https://token.actions.example"
	cliFICSubject = "repo:contoso/deploy:environment:prod"
	cliMISystem   = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	cliMIUser     = "1a2b3c4d-5e6f-4789-8abc-def012345678"
)

// principalWorld is an emulator whose directory has a service principal
// (secret, certificate, federated credential) and two managed identities,
// with the files a user would point acctui at.
type principalWorld struct {
	e       *emulator
	s       *cliSuite
	dir     string
	cert    *idptest.AppCertificate
	issuer  *idptest.FederatedIssuer
	pemBoth string // certificate and key
	pemCert string // certificate alone
	p12     string
	expired string
	mixed   string // the certificate with another certificate's key
	token   string // a valid federated token file
	stale   string // an expired one
}

func newPrincipalWorld(t *testing.T) *principalWorld {
	t.Helper()
	dir := t.TempDir()
	now := time.Now()
	cert, err := idptest.NewAppCertificate("cli-sp", now.Add(-time.Hour), now.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	old, err := idptest.NewAppCertificate("cli-sp-old", now.Add(-60*24*time.Hour), now.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := idptest.NewFederatedIssuer(cliFICIssuer)
	if err != nil {
		t.Fatal(err)
	}
	d := idptest.DefaultDirectory()
	d.Apps = append(d.Apps, &idptest.App{ClientID: cliSPClientID, Name: "CLI deployer", Secret: cliSPSecret,
		Certificates:         []string{string(cert.CertificatePEM()), string(old.CertificatePEM())},
		FederatedCredentials: []idptest.FederatedCredential{issuer.Credential("prod", cliFICSubject)}})
	d.ManagedIdentities = []*idptest.ManagedIdentity{{ClientID: cliMISystem, SystemAssigned: true}, {ClientID: cliMIUser}}
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	p12, err := pkcs12.Modern.Encode(cert.Key, cert.Certificate, nil, "p12-Sentinel-pass")
	if err != nil {
		t.Fatal(err)
	}
	valid, err := issuer.Token(cliFICSubject, "api://AzureADTokenExchange", now, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	expired, err := issuer.Token(cliFICSubject, "api://AzureADTokenExchange", now.Add(-2*time.Hour), now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	w := &principalWorld{dir: dir, cert: cert, issuer: issuer,
		pemBoth: write("sp.pem", append(cert.CertificatePEM(), cert.KeyPEM()...)),
		pemCert: write("sp-cert-only.pem", cert.CertificatePEM()),
		p12:     write("sp.pfx", p12),
		expired: write("old.pem", append(old.CertificatePEM(), old.KeyPEM()...)),
		mixed:   write("mixed.pem", append(cert.CertificatePEM(), old.KeyPEM()...)),
		token:   write("federated-token", []byte(valid)),
		stale:   write("stale-token", []byte(expired)),
	}
	w.e = startEmulatorWith(t, "--directory", write("directory.json", raw))
	w.s = newCLISuite(t, w.e)
	w.s.remember(cliSPSecret, "the service principal's client secret")
	w.s.remember(valid, "the federated token")
	w.s.remember(string(cert.KeyPEM()), "the certificate's private key")
	return w
}

func (w *principalWorld) spLogin(c *cliEnv, t *testing.T, stdin *string, args ...string) cliResult {
	t.Helper()
	return c.run(t, stdin, append([]string{"login", "--service-principal", "--client-id", cliSPClientID, "--tenant", contosoTenantID}, args...)...)
}

// TestCLIServicePrincipal signs a service principal in with each kind of
// credential, uses and lists it, and removes it with its credential.
func TestCLIServicePrincipal(t *testing.T) {
	w := newPrincipalWorld(t)
	secret := cliSPSecret + "\n"
	p12Password := "p12-Sentinel-pass\n"
	for _, tc := range []struct {
		name, credential string
		stdin            *string
		args             []string
	}{
		{"secret", "secret", &secret, []string{"--secret-stdin"}},
		{"certificate pem", "certificate", nil, []string{"--certificate", w.pemBoth}},
		{"certificate pkcs12", "certificate", &p12Password, []string{"--certificate", w.p12, "--password-stdin"}},
		{"federated token file", "federated", nil, []string{"--federated-token-file", w.token}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := w.s.newEnv(t, "sp")
			res := w.spLogin(c, t, tc.stdin, tc.args...).want(t, 0)
			if !strings.Contains(res.stderr, "Signed in as app "+cliSPClientID) {
				t.Fatalf("login said: %s", res.stderr)
			}
			accounts := c.accountsJSON(t)
			if len(accounts) != 1 || accounts[0]["kind"] != "service_principal" || accounts[0]["credential"] != tc.credential || accounts[0]["status"] != "valid" {
				t.Fatalf("accounts --json: %v", accounts)
			}
			text := c.run(t, nil, "accounts").want(t, 0)
			if !strings.Contains(text.stdout, "app ("+tc.credential+")") {
				t.Fatalf("accounts does not show the kind:\n%s", text.stdout)
			}
			first := c.token(t, "--account", cliSPClientID)
			if first.Source != "cache" {
				t.Fatalf("the token acquired at login was not cached: %+v", first.Source)
			}
			claims, err := engine.DecodeClaimsUnverified(first.AccessToken)
			if err != nil || claims.Claims["azp"] != cliSPClientID || claims.Claims["idtyp"] != "app" {
				t.Fatalf("app token claims: %v %v", claims.Claims, err)
			}
			forced := c.token(t, "--account", cliSPClientID, "--force-refresh")
			if forced.Source != "identity_provider" || forced.AccessToken == first.AccessToken {
				t.Fatalf("force refresh: %s", forced.Source)
			}
			if tok := c.plainToken(t); tok == "" { // the only account needs no --account
				t.Fatal("no token")
			}
			for _, f := range filesUnder(t, []string{c.vars["ACCTUI_VAULT_DIR"], c.home}) {
				data, err := os.ReadFile(f)
				if err != nil {
					continue
				}
				for _, s := range []string{cliSPSecret, "PRIVATE KEY", w.token, first.AccessToken} {
					if strings.Contains(string(data), s) {
						t.Fatalf("%s holds a credential or token in the clear", f)
					}
				}
			}
			// A plaintext export carries the app's tokens, as asked, but
			// never its credential nor acctui's own metadata.
			export := filepath.Join(c.home, "export.json")
			c.run(t, nil, "export", "--msal", export).want(t, 0)
			exported, err := os.ReadFile(export)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{cliSPSecret, "PRIVATE KEY", "AcctuiMetadata", "acctui.principals"} {
				if strings.Contains(string(exported), s) {
					t.Fatalf("the export holds %q", s)
				}
			}
			if !strings.Contains(string(exported), forced.AccessToken) {
				t.Fatal("the export lacks the app's access token")
			}
			os.Remove(export)
			c.run(t, nil, "logout", cliSPClientID, "--yes").want(t, 0)
			if accounts := c.accountsJSON(t); len(accounts) != 0 {
				t.Fatalf("after logout: %v", accounts)
			}
			c.run(t, nil, "token", "--account", cliSPClientID).want(t, 4)
		})
	}
}

// TestCLIServicePrincipalBadInput: each bad credential is one clear line,
// exit 1, and nothing stored.
func TestCLIServicePrincipalBadInput(t *testing.T) {
	w := newPrincipalWorld(t)
	wrong := "not-the-secret\n"
	for _, tc := range []struct {
		name  string
		stdin *string
		args  []string
		want  string
	}{
		{"wrong secret", &wrong, []string{"--secret-stdin"}, "AADSTS7000215"},
		{"certificate without key", nil, []string{"--certificate", w.pemCert}, "no private key"},
		{"expired certificate", nil, []string{"--certificate", w.expired}, "expired"},
		{"key of another certificate", nil, []string{"--certificate", w.mixed}, "does not belong to the certificate"},
		{"pkcs12 wrong password", &wrong, []string{"--certificate", w.p12, "--password-stdin"}, "password is wrong"},
		{"missing federated token file", nil, []string{"--federated-token-file", filepath.Join(w.dir, "absent")}, "no such file"},
		{"expired federated token", nil, []string{"--federated-token-file", w.stale}, "expired"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := w.s.newEnv(t, "bad")
			res := w.spLogin(c, t, tc.stdin, tc.args...).want(t, 1)
			if !strings.Contains(res.errorLine(), tc.want) {
				t.Fatalf("want %q in the error line:\n%s", tc.want, res)
			}
			if accounts := c.accountsJSON(t); len(accounts) != 0 {
				t.Fatalf("something was stored: %v", accounts)
			}
		})
	}
}

// TestCLIManagedIdentity signs in as the emulated resource's identities
// and says at once when there is no identity endpoint.
func TestCLIManagedIdentity(t *testing.T) {
	w := newPrincipalWorld(t)
	c := w.s.newEnv(t, "mi").with("ACCTUI_IMDS_ENDPOINT", w.e.ann.URL)
	c.run(t, nil, "login", "--identity").want(t, 0)
	c.run(t, nil, "login", "--identity", "--client-id", cliMIUser).want(t, 0)
	accounts := c.accountsJSON(t)
	if len(accounts) != 2 || accounts[0]["kind"] != "managed_identity" || accounts[1]["username"] != cliMIUser {
		t.Fatalf("accounts --json: %v", accounts)
	}
	for account, want := range map[string]string{"managed-identity": cliMISystem, cliMIUser: cliMIUser} {
		tok := c.token(t, "--account", account)
		claims, err := engine.DecodeClaimsUnverified(tok.AccessToken)
		if err != nil || claims.Claims["appid"] != want || tok.Source != "cache" {
			t.Fatalf("token for %s: appid %v source %s %v", account, claims.Claims["appid"], tok.Source, err)
		}
	}
	c.run(t, nil, "logout", "managed-identity", "--yes").want(t, 0)
	if accounts := c.accountsJSON(t); len(accounts) != 1 {
		t.Fatalf("after logout: %v", accounts)
	}

	// App Service and Functions announce their endpoint in the environment.
	appService := w.s.newEnv(t, "app-service").with("IDENTITY_ENDPOINT", w.e.ann.URL+idptest.AppServicePath,
		"IDENTITY_HEADER", idptest.AppServiceIdentityHeader, "ACCTUI_IMDS_ENDPOINT", "http://"+closedPort(t))
	appService.run(t, nil, "login", "--identity", "--client-id", cliMIUser).want(t, 0)
	if tok := appService.token(t); tok.Account.Username != cliMIUser {
		t.Fatalf("App Service token for %q", tok.Account.Username)
	}

	absent := w.s.newEnv(t, "not-azure").with("ACCTUI_IMDS_ENDPOINT", "http://"+closedPort(t))
	res := absent.run(t, nil, "login", "--identity").want(t, 1)
	if !strings.Contains(res.errorLine(), "no managed identity here") {
		t.Fatalf("not on Azure: %s", res)
	}
	if accounts := absent.accountsJSON(t); len(accounts) != 0 {
		t.Fatalf("something was stored: %v", accounts)
	}
}
