package engine

import (
	"context"
	"testing"
	"time"

	"acctui/engine/idptest"
)

// benchSPClient is a service principal client of a fresh emulator, with
// the credential kind asked for.
func benchSPClient(b *testing.B, kind string) *Client {
	b.Helper()
	now := time.Now()
	cert, err := idptest.NewAppCertificate("bench", now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		b.Fatal(err)
	}
	dir := idptest.DefaultDirectory()
	dir.Apps = append(dir.Apps, &idptest.App{ClientID: spClientID, Secret: spSecret, Certificates: []string{string(cert.CertificatePEM())}})
	srv := idptest.Start(b, idptest.Options{TLS: true, Directory: dir})
	var cred ClientCredential
	switch kind {
	case "certificate":
		chain, key, err := ParseCertificate(append(cert.CertificatePEM(), cert.KeyPEM()...), "")
		if err != nil {
			b.Fatal(err)
		}
		cred, err = NewCertificateCredential(chain, key, CertificateOptions{})
		if err != nil {
			b.Fatal(err)
		}
	default:
		cred, err = NewSecretCredential(spSecret)
		if err != nil {
			b.Fatal(err)
		}
	}
	c, err := New(Config{ClientID: spClientID, Authority: srv.Authority("contoso"), HTTPClient: srv.Client(), Now: srv.Now, Credential: cred})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.AcquireTokenForClient(context.Background(), graph); err != nil {
		b.Fatal(err)
	}
	return c
}

// BenchmarkAppToken compares a cached app token with one acquired from
// the emulator over loopback TLS, with a secret and with a certificate
// assertion (signed on every request).
func BenchmarkAppToken(b *testing.B) {
	for _, bc := range []struct {
		name, kind string
		opts       []Option
	}{
		{"cached", "secret", nil},
		{"network/secret", "secret", []Option{WithForceRefresh()}},
		{"network/certificate", "certificate", []Option{WithForceRefresh()}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := benchSPClient(b, bc.kind)
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.AcquireTokenForClient(ctx, graph, bc.opts...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
