package engine

import (
	"context"
	"testing"

	"acctui/engine/idptest"
)

// BenchmarkUsernamePassword compares a managed user's password sign-in
// (user realm + password grant) with a federated one (user realm + mex +
// WS-Trust + SAML bearer grant), both against the emulator over TLS.
func BenchmarkUsernamePassword(b *testing.B) {
	for _, bc := range []struct{ name, user, password string }{
		{"managed", alice, "demo-alice"},
		{"federated", "erin@ad.contoso.example", "demo-erin"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv := idptest.Start(b, idptest.Options{TLS: true})
			cfg := Config{ClientID: cliID, Authority: srv.Authority("organizations"), HTTPClient: srv.Client(), Now: srv.Now}
			c, err := New(cfg)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ResetTimer()
			for range b.N {
				if _, err := c.AcquireTokenByUsernamePassword(ctx, graph, bc.user, Secret(bc.password)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
