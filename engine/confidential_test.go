package engine

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"acctui/engine/idptest"

	"software.sslmate.com/src/go-pkcs12"
)

const (
	spClientID  = "8d3c1f0e-2b4a-4c5d-9e6f-7a8b9c0d1e2f"
	spSecret    = "sp-secret-value-1234"
	ficIssuer   = "https://issuer.ci.example"
	ficSubject  = "repo:contoso/app:ref:refs/heads/main"
	ficAudience = "api://AzureADTokenExchange"
)

// spWorld is an emulator with one service principal that has a secret, a
// registered certificate and a federated credential.
type spWorld struct {
	srv       *idptest.Server
	cert      *idptest.AppCertificate
	issuer    *idptest.FederatedIssuer
	authority string
}

func newSPWorld(t *testing.T) *spWorld {
	t.Helper()
	now := time.Now()
	cert, err := idptest.NewAppCertificate("sp.contoso.example", now.Add(-time.Hour), now.Add(365*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := idptest.NewFederatedIssuer(ficIssuer)
	if err != nil {
		t.Fatal(err)
	}
	dir := idptest.DefaultDirectory()
	dir.Apps = append(dir.Apps, &idptest.App{
		ClientID: spClientID, Name: "Contoso Deployer", Secret: spSecret,
		Certificates:         []string{string(cert.CertificatePEM())},
		FederatedCredentials: []idptest.FederatedCredential{issuer.Credential("main-branch", ficSubject)},
		Roles:                []string{"Application.Read.All"},
	})
	srv := idptest.Start(t, idptest.Options{TLS: true, Directory: dir})
	return &spWorld{srv: srv, cert: cert, issuer: issuer, authority: srv.Authority("contoso")}
}

func (w *spWorld) client(t *testing.T, cred ClientCredential) (*Client, *MemoryStore) {
	t.Helper()
	store := NewMemoryStore(nil)
	c, err := New(Config{ClientID: spClientID, Authority: w.authority, HTTPClient: w.srv.Client(),
		Cache: store, Now: w.srv.Now, Credential: cred})
	if err != nil {
		t.Fatal(err)
	}
	return c, store
}

func (w *spWorld) certCredential(t *testing.T, opts CertificateOptions) ClientCredential {
	t.Helper()
	cred, err := NewCertificateCredential([]*x509.Certificate{w.cert.Certificate}, w.cert.Key, opts)
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

func (w *spWorld) tokenFile(t *testing.T, subject string, exp time.Time) string {
	t.Helper()
	tok, err := w.issuer.Token(subject, ficAudience, w.srv.Now(), exp)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "azure-identity-token")
	if err := os.WriteFile(path, []byte(tok+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func mustSecret(t *testing.T, s string) ClientCredential {
	t.Helper()
	cred, err := NewSecretCredential(Secret(s))
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

func mustFile(t *testing.T, path string) ClientCredential {
	t.Helper()
	cred, err := NewAssertionFileCredential(path)
	if err != nil {
		t.Fatal(err)
	}
	return cred
}

// TestAcquireTokenForClientKinds gets an app token with each kind of
// credential and checks what the emulator saw in the app token.
func TestAcquireTokenForClientKinds(t *testing.T) {
	w := newSPWorld(t)
	far := w.srv.Now().Add(time.Hour)
	cases := []struct {
		name   string
		cred   func(t *testing.T) ClientCredential
		azpacr string
	}{
		{"secret", func(t *testing.T) ClientCredential { return mustSecret(t, spSecret) }, "1"},
		{"certificate PS256", func(t *testing.T) ClientCredential { return w.certCredential(t, CertificateOptions{}) }, "2"},
		{"certificate RS256", func(t *testing.T) ClientCredential { return w.certCredential(t, CertificateOptions{RS256: true}) }, "2"},
		{"certificate x5c", func(t *testing.T) ClientCredential { return w.certCredential(t, CertificateOptions{SendX5C: true}) }, "2"},
		{"federated file", func(t *testing.T) ClientCredential { return mustFile(t, w.tokenFile(t, ficSubject, far)) }, "2"},
		{"federated callback", func(t *testing.T) ClientCredential {
			return NewAssertionCallback(func(context.Context) (string, error) {
				return w.issuer.Token(ficSubject, ficAudience, w.srv.Now(), far)
			})
		}, "2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := w.client(t, tc.cred(t))
			r, err := c.AcquireTokenForClient(context.Background(), graph)
			if err != nil {
				t.Fatal(err)
			}
			claims, err := DecodeClaimsUnverified(r.AccessToken.Reveal())
			if err != nil {
				t.Fatal(err)
			}
			if claims.Claims["azp"] != spClientID || claims.Claims["idtyp"] != "app" || claims.Claims["azpacr"] != tc.azpacr {
				t.Fatalf("app token claims: azp %v idtyp %v azpacr %v", claims.Claims["azp"], claims.Claims["idtyp"], claims.Claims["azpacr"])
			}
			if r.Source != SourceIdentityProvider || r.Account.HomeAccountID != "" {
				t.Fatalf("result: %v", r)
			}
		})
	}
}

// TestAppTokenCachedAsMSAL checks the cache entry (MSAL Python's key with an
// empty home account id, no refresh token, no account), the cache hit, and
// re-acquisition after expiry.
func TestAppTokenCachedAsMSAL(t *testing.T) {
	w := newSPWorld(t)
	c, store := w.client(t, mustSecret(t, spSecret))
	ctx := context.Background()
	first, err := c.AcquireTokenForClient(ctx, graph)
	if err != nil {
		t.Fatal(err)
	}
	snap := store.Snapshot()
	counts := snap.Counts()
	if counts.AccessTokens != 1 || counts.RefreshTokens != 0 || counts.Accounts != 0 || counts.IDTokens != 0 {
		t.Fatalf("cache counts: %+v", counts)
	}
	raw, err := snap.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	wantKey := strings.ToLower("-" + c.Authority().Environment + "-accesstoken-" + spClientID + "-" + idptest.ContosoTenantID + "-https://graph.microsoft.com/.default")
	if !strings.Contains(string(raw), `"`+wantKey+`"`) {
		t.Fatalf("no app token under MSAL's key %s in %s", wantKey, raw)
	}
	second, err := c.AcquireTokenForClient(ctx, graph)
	if err != nil {
		t.Fatal(err)
	}
	if second.Source != SourceCache || second.AccessToken != first.AccessToken {
		t.Fatalf("second call: %v", second)
	}
	if n := w.srv.CountRequests(idptest.EndpointToken, "client_credentials"); n != 1 {
		t.Fatalf("token requests = %d, want 1", n)
	}
	w.srv.Advance(time.Until(first.ExpiresOn) - 4*time.Minute) // inside MSAL's 5-minute margin
	third, err := c.AcquireTokenForClient(ctx, graph)
	if err != nil {
		t.Fatal(err)
	}
	if third.Source != SourceIdentityProvider || third.AccessToken == first.AccessToken {
		t.Fatalf("after expiry: %v", third)
	}
	forced, err := c.AcquireTokenForClient(ctx, graph, WithForceRefresh())
	if err != nil || forced.Source != SourceIdentityProvider {
		t.Fatalf("force refresh: %v %v", forced, err)
	}
	if err := c.RemoveTokensForClient(ctx); err != nil {
		t.Fatal(err)
	}
	if n := store.Snapshot().Counts().AccessTokens; n != 0 {
		t.Fatalf("%d app tokens left after removal", n)
	}
}

// TestAcquireTokenForClientRefusals checks each bad credential: the
// emulator's refusal with Entra's code, or a local error and no request.
func TestAcquireTokenForClientRefusals(t *testing.T) {
	w := newSPWorld(t)
	now := w.srv.Now()
	other, err := idptest.NewAppCertificate("other", now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	expired, err := idptest.NewAppCertificate("old", now.Add(-48*time.Hour), now.Add(-24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	stranger, err := idptest.NewFederatedIssuer(ficIssuer) // same issuer name, other key
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		cred func(t *testing.T) ClientCredential
		code int    // AADSTS code from the emulator; 0 means a local error
		text string // in the local error
	}{
		{"wrong secret", func(t *testing.T) ClientCredential { return mustSecret(t, "not-the-secret") }, 7000215, ""},
		{"unregistered certificate", func(t *testing.T) ClientCredential {
			cred, err := NewCertificateCredential([]*x509.Certificate{other.Certificate}, other.Key, CertificateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return cred
		}, 700027, ""},
		{"expired certificate", func(t *testing.T) ClientCredential {
			cred, err := NewCertificateCredential([]*x509.Certificate{expired.Certificate}, expired.Key, CertificateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			return cred
		}, 0, "certificate: it expired"},
		{"other subject", func(t *testing.T) ClientCredential {
			return mustFile(t, w.tokenFile(t, "repo:contoso/app:pull_request", now.Add(time.Hour)))
		}, 70021, ""},
		{"forged federated token", func(t *testing.T) ClientCredential {
			return NewAssertionCallback(func(context.Context) (string, error) {
				return stranger.Token(ficSubject, ficAudience, now, now.Add(time.Hour))
			})
		}, 50013, ""},
		{"missing token file", func(t *testing.T) ClientCredential {
			return mustFile(t, filepath.Join(t.TempDir(), "absent"))
		}, 0, "no such file"},
		{"expired token file", func(t *testing.T) ClientCredential {
			return mustFile(t, w.tokenFile(t, ficSubject, now.Add(-time.Minute)))
		}, 0, "federated token from file"},
		{"empty token file", func(t *testing.T) ClientCredential {
			path := filepath.Join(t.TempDir(), "empty")
			if err := os.WriteFile(path, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return mustFile(t, path)
		}, 0, "it is empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := w.srv.CountRequests(idptest.EndpointToken, "client_credentials")
			c, store := w.client(t, tc.cred(t))
			_, err := c.AcquireTokenForClient(context.Background(), graph)
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), spSecret) || strings.Contains(err.Error(), "eyJ") {
				t.Fatalf("error reveals a credential: %v", err)
			}
			var e *Error
			sent := w.srv.CountRequests(idptest.EndpointToken, "client_credentials") - before
			if tc.code != 0 {
				if !errors.As(err, &e) || !slices.Contains(e.ErrorCodes, tc.code) {
					t.Fatalf("want AADSTS%d, got %v", tc.code, err)
				}
			} else {
				if errors.As(err, &e) || !strings.Contains(err.Error(), tc.text) || sent != 0 {
					t.Fatalf("want a local error with %q and no request; got %v after %d requests", tc.text, err, sent)
				}
			}
			if n := store.Snapshot().Len(); n != 0 {
				t.Fatalf("%d cache entries after a refusal", n)
			}
		})
	}
}

// TestFederatedTokenReadFreshEachTime rewrites the token file between two
// acquisitions, as the kubelet rotates it, and checks the new one is sent.
func TestFederatedTokenReadFreshEachTime(t *testing.T) {
	w := newSPWorld(t)
	path := w.tokenFile(t, ficSubject, w.srv.Now().Add(time.Hour))
	c, _ := w.client(t, mustFile(t, path))
	ctx := context.Background()
	if _, err := c.AcquireTokenForClient(ctx, graph); err != nil {
		t.Fatal(err)
	}
	// the old token expires and the file gets a new one
	w.srv.Advance(2 * time.Hour)
	tok, err := w.issuer.Token(ficSubject, ficAudience, w.srv.Now(), w.srv.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := c.AcquireTokenForClient(ctx, graph)
	if err != nil || r.Source != SourceIdentityProvider {
		t.Fatalf("after rotation: %v %v", r, err)
	}
}

// TestFederatedTokenFromCommand takes the token from a program's output.
func TestFederatedTokenFromCommand(t *testing.T) {
	w := newSPWorld(t)
	path := w.tokenFile(t, ficSubject, w.srv.Now().Add(time.Hour))
	cred, err := NewAssertionCommandCredential("cat", path)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := w.client(t, cred)
	if _, err := c.AcquireTokenForClient(context.Background(), graph); err != nil {
		t.Fatal(err)
	}
	failing, err := NewAssertionCommandCredential("false")
	if err != nil {
		t.Fatal(err)
	}
	c2, _ := w.client(t, failing)
	if _, err := c2.AcquireTokenForClient(context.Background(), graph); err == nil || !strings.Contains(err.Error(), "command false") {
		t.Fatalf("failing command: %v", err)
	}
}

// TestParseCertificate reads PEM and PKCS#12 and refuses a certificate
// without its key, a mismatched key and a wrong password.
func TestParseCertificate(t *testing.T) {
	now := time.Now()
	cert, err := idptest.NewAppCertificate("sp", now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	other, err := idptest.NewAppCertificate("other", now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	pemBoth := append(cert.CertificatePEM(), cert.KeyPEM()...)
	p12, err := pkcs12.Modern.Encode(cert.Key, cert.Certificate, nil, "p12-pass")
	if err != nil {
		t.Fatal(err)
	}
	p12NoKey, err := pkcs12.Modern.EncodeTrustStore([]*x509.Certificate{cert.Certificate}, "p12-pass")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		data     []byte
		password string
		want     string // "" = parses and makes a credential
	}{
		{"pem", pemBoth, "", ""},
		{"pem key first", append(cert.KeyPEM(), cert.CertificatePEM()...), "", ""},
		{"pkcs12", p12, "p12-pass", ""},
		{"pem without key", cert.CertificatePEM(), "", "no private key"},
		{"pkcs12 without key", p12NoKey, "p12-pass", "no private key"},
		{"pkcs12 wrong password", p12, "nope", "password is wrong"},
		{"mismatched key", append(cert.CertificatePEM(), other.KeyPEM()...), "", "does not belong"},
		{"garbage", []byte("hello"), "", "neither PEM nor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			chain, key, err := ParseCertificate(tc.data, Secret(tc.password))
			if err == nil {
				_, err = NewCertificateCredential(chain, key, CertificateOptions{})
			}
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want %q, got %v", tc.want, err)
			}
			if strings.Contains(err.Error(), tc.password) && tc.password != "" {
				t.Fatal("error reveals the password")
			}
		})
	}
}

// TestAppTokenThrottled: a 429 holds the same app token request back for
// its Retry-After, although a certificate credential signs a new
// assertion for every request; a wrong secret's 401 is not remembered, so
// a corrected secret is tried at once.
func TestAppTokenThrottled(t *testing.T) {
	w := newSPWorld(t)
	c, _ := w.client(t, w.certCredential(t, CertificateOptions{}))
	ctx := context.Background()
	if err := w.srv.InjectFault(idptest.Fault{Endpoint: idptest.EndpointToken, Kind: idptest.FaultStatus, Status: 429, RetryAfterSeconds: 30, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AcquireTokenForClient(ctx, graph); err == nil {
		t.Fatal("no error for 429")
	}
	var te *ThrottledError
	if _, err := c.AcquireTokenForClient(ctx, graph); !errors.As(err, &te) {
		t.Fatalf("inside the wait: %v", err)
	}
	if n := w.srv.CountRequests(idptest.EndpointToken, "client_credentials"); n != 1 {
		t.Fatalf("%d requests inside the wait, want 1", n)
	}
	w.srv.Advance(31 * time.Second)
	if _, err := c.AcquireTokenForClient(ctx, graph); err != nil {
		t.Fatalf("after the wait: %v", err)
	}

	wrong, store := w.client(t, mustSecret(t, "wrong"))
	if _, err := wrong.AcquireTokenForClient(ctx, graph); err == nil {
		t.Fatal("wrong secret accepted")
	}
	right, err := New(Config{ClientID: spClientID, Authority: w.authority, HTTPClient: w.srv.Client(),
		Cache: store, Now: w.srv.Now, Credential: mustSecret(t, spSecret)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := right.AcquireTokenForClient(ctx, graph); err != nil {
		t.Fatalf("the right secret after a wrong one: %v", err)
	}
}

// TestCredentialsPrintNoSecret formats each credential every way a log
// line might.
func TestCredentialsPrintNoSecret(t *testing.T) {
	w := newSPWorld(t)
	key := string(w.cert.KeyPEM())
	for _, cred := range []ClientCredential{mustSecret(t, spSecret), w.certCredential(t, CertificateOptions{}), mustFile(t, w.tokenFile(t, ficSubject, w.srv.Now().Add(time.Hour)))} {
		c, _ := w.client(t, cred)
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			for _, v := range []any{cred, c.cfg} {
				out := fmt.Sprintf(verb, v)
				if strings.Contains(out, spSecret) || strings.Contains(out, "eyJ") || strings.Contains(out, key[40:80]) {
					t.Fatalf("%s of %T prints a secret: %s", verb, v, out)
				}
			}
		}
	}
}
