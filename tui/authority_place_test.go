package tui

import (
	"context"
	"testing"
	"time"

	"acctui/engine"
	"acctui/engine/idptest"
)

// placeEnv signs alice in through another kind of authority (cfg names it)
// and returns the TUI's environment on it.
func placeEnv(t *testing.T, authority func(*idptest.Server) engine.Config, scopes []string) *env {
	t.Helper()
	srv := idptest.Start(t, idptest.Options{TLS: true, Now: func() time.Time { return epoch }})
	store := engine.NewMemoryStore(nil)
	cfg := authority(srv)
	cfg.ClientID, cfg.HTTPClient, cfg.Cache, cfg.Now = idptest.AzureCLIClientID, srv.Client(), store, srv.Now
	client, err := engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.AcquireTokenByUsernamePassword(context.Background(), scopes, "alice@contoso.example", engine.Secret(passwords["alice@contoso.example"])); err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, store: store, client: client, backend: NewEngineBackend(client, store, scopes, srv.Now)}
}

// TestAuthorityPlace: an account of a generic OpenID Connect provider shows
// its issuer instead of a tenant, in the list and the detail; AD FS and B2C
// accounts are marked with their authority type.
func TestAuthorityPlace(t *testing.T) {
	t.Run("oidc", func(t *testing.T) {
		var issuer string
		e := placeEnv(t, func(srv *idptest.Server) engine.Config {
			issuer = srv.OIDCIssuer(idptest.OIDCPlain)
			return engine.Config{Authority: issuer, OIDCAuthority: issuer}
		}, nil)
		h := newHarness(t, e, 80, 24)
		h.contains("· " + issuer)
		h.golden("oidc-accounts-80x24")
		h.press("enter")
		h.contains("Issuer", issuer, "Authority", "OpenID Connect")
		h.golden("oidc-detail-80x24")
	})
	t.Run("adfs", func(t *testing.T) {
		e := placeEnv(t, func(srv *idptest.Server) engine.Config {
			return engine.Config{Authority: srv.ADFSAuthority()}
		}, nil)
		h := newHarness(t, e, 80, 24)
		h.contains("(AD FS)")
		h.press("enter")
		h.contains("Authority", "AD FS")
	})
	t.Run("b2c", func(t *testing.T) {
		e := placeEnv(t, func(srv *idptest.Server) engine.Config {
			return engine.Config{Authority: srv.B2CAuthority("B2C_1_SignIn")}
		}, []string{idptest.AzureCLIClientID})
		h := newHarness(t, e, 80, 24)
		h.contains("(B2C)")
		h.press("d")
		h.contains(", B2C")
	})
}
