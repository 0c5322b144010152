package engine

import (
	"context"
	"testing"

	"acctui/engine/idptest"
)

// BenchmarkColdPasswordSignIn is a first sign-in by a new client (no
// metadata cached) at each authority kind of the emulator: Entra on an
// unknown host runs instance discovery and the user realm call first,
// AD FS and generic providers go straight to their discovery document.
func BenchmarkColdPasswordSignIn(b *testing.B) {
	srv := idptest.Start(b, idptest.Options{TLS: true})
	kinds := []struct {
		name string
		cfg  func(*Config)
	}{
		{"entra", func(c *Config) { c.Authority = srv.Authority("contoso") }},
		{"adfs", func(c *Config) { c.Authority = srv.ADFSAuthority() }},
		{"oidc", func(c *Config) { c.OIDCAuthority = srv.OIDCIssuer(idptest.OIDCPlain) }},
	}
	for _, k := range kinds {
		b.Run(k.name, func(b *testing.B) {
			before := len(srv.Requests())
			b.ReportAllocs()
			for b.Loop() {
				cfg := Config{ClientID: cliID, HTTPClient: srv.Client()}
				k.cfg(&cfg)
				client, err := New(cfg)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := client.AcquireTokenByUsernamePassword(context.Background(), nil, alice, Secret("demo-alice")); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(srv.Requests())-before)/float64(b.N), "requests/op")
		})
	}
}
