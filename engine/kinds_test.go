package engine

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/engine/idptest"
)

func TestParseAuthorityKinds(t *testing.T) {
	tests := []struct {
		raw                       string
		kind                      AuthorityKind
		tenant, policy, env, disc string
	}{
		{"https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_SignIn", KindB2C, "contoso.onmicrosoft.com", "B2C_1_SignIn", "contoso.b2clogin.com",
			"https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_SignIn/v2.0/.well-known/openid-configuration"},
		{"https://login.contoso.com/contoso.onmicrosoft.com/b2c_1a_custom", KindB2C, "contoso.onmicrosoft.com", "b2c_1a_custom", "login.contoso.com",
			"https://login.contoso.com/contoso.onmicrosoft.com/b2c_1a_custom/v2.0/.well-known/openid-configuration"},
		{"https://contoso.ciamlogin.com/", KindCIAM, "contoso.onmicrosoft.com", "", "contoso.ciamlogin.com",
			"https://contoso.ciamlogin.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"},
		{"https://contoso.ciamlogin.com/7a433bfc-2514-4697-b467-e0933190487f", KindCIAM, "7a433bfc-2514-4697-b467-e0933190487f", "", "contoso.ciamlogin.com",
			"https://contoso.ciamlogin.com/7a433bfc-2514-4697-b467-e0933190487f/v2.0/.well-known/openid-configuration"},
		{"https://fs.contoso.com:8443/adfs/", KindADFS, "adfs", "", "fs.contoso.com:8443",
			"https://fs.contoso.com:8443/adfs/.well-known/openid-configuration"},
		{"https://login.microsoftonline.com/contoso.com", KindEntra, "contoso.com", "", "login.microsoftonline.com",
			"https://login.microsoftonline.com/contoso.com/v2.0/.well-known/openid-configuration"},
	}
	for _, tt := range tests {
		a, err := ParseAuthority(tt.raw)
		if err != nil {
			t.Errorf("%s: %v", tt.raw, err)
			continue
		}
		if a.Kind != tt.kind || a.Tenant != tt.tenant || a.Policy != tt.policy || a.Environment != tt.env || a.discoveryURL() != tt.disc {
			t.Errorf("%s: got kind %q tenant %q policy %q env %q discovery %s", tt.raw, a.Kind, a.Tenant, a.Policy, a.Environment, a.discoveryURL())
		}
		if a.usesInstanceDiscovery() != (tt.kind == KindEntra) {
			t.Errorf("%s: instance discovery %v", tt.raw, a.usesInstanceDiscovery())
		}
	}
	for _, bad := range []string{"https://contoso.b2clogin.com/contoso.onmicrosoft.com", "https://fs.contoso.com/adfs/extra",
		"https://contoso.ciamlogin.com/a/b"} {
		if _, err := ParseAuthority(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

func TestParseOIDCAuthority(t *testing.T) {
	for raw, want := range map[string]string{
		"https://accounts.example.com":         "https://accounts.example.com",
		"https://idp.example.com/realms/main/": "https://idp.example.com/realms/main",
		"http://127.0.0.1:8080":                "http://127.0.0.1:8080",
		"http://localhost:9000/op":             "http://localhost:9000/op",
	} {
		a, err := ParseOIDCAuthority(raw)
		if err != nil || a.Issuer != want || a.String() != want || a.Kind != KindOIDC {
			t.Errorf("%s: %+v %v", raw, a, err)
		}
		if a.discoveryURL() != want+"/.well-known/openid-configuration" {
			t.Errorf("%s: discovery %s", raw, a.discoveryURL())
		}
	}
	for _, bad := range []string{"http://idp.example.com", "https://idp.example.com/?x=1", "https://u@idp.example.com",
		"https://idp.example.com/a/../b", "ftp://idp.example.com", "idp.example.com"} {
		if _, err := ParseOIDCAuthority(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
}

// formRecorder keeps the forms and headers of token requests.
type formRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	reqs []recordedRequest
}

type recordedRequest struct {
	url    string
	form   url.Values
	header http.Header
}

func (f *formRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := recordedRequest{url: r.URL.String(), header: r.Header.Clone()}
	if r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		rec.form, _ = url.ParseQuery(string(body))
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, rec)
	f.mu.Unlock()
	return f.next.RoundTrip(r)
}

func (f *formRecorder) grants(grantType string) []recordedRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []recordedRequest
	for _, r := range f.reqs {
		if r.form.Get("grant_type") == grantType {
			out = append(out, r)
		}
	}
	return out
}

// oidcEnv is a client of one of the emulator's generic provider variants.
func oidcEnv(t *testing.T, srv *idptest.Server, store *MemoryStore, variant string) (*env, *formRecorder) {
	t.Helper()
	rec := &formRecorder{next: srv.Client().Transport}
	e := newEnvFor(t, srv, store, func(c *Config) {
		c.Authority = ""
		c.OIDCAuthority = srv.OIDCIssuer(variant)
		c.HTTPClient = &http.Client{Transport: rec}
		c.ClientCapabilities = []string{"CP1"}
	})
	return e, rec
}

// TestOIDCFlows runs every flow against a generic provider that refuses
// Entra's own parameters and headers: they pass only if none is sent.
func TestOIDCFlows(t *testing.T) {
	srv := idptest.Start(t, idptest.Options{TLS: true, DeviceCodeInterval: time.Second})
	ctx := context.Background()
	e, rec := oidcEnv(t, srv, NewMemoryStore(nil), idptest.OIDCStrict)

	t.Run("password", func(t *testing.T) {
		r, err := e.client.AcquireTokenByUsernamePassword(ctx, nil, alice, Secret("demo-alice"))
		if err != nil {
			t.Fatal(err)
		}
		if r.Account.Environment != srv.Host() || r.Account.Issuer != srv.OIDCIssuer(idptest.OIDCStrict) || !strings.Contains(r.Account.HomeAccountID, ".") {
			t.Errorf("account %+v: want the issuer's host with its port and an issuer-scoped id", r.Account)
		}
		if n := srv.CountRequests(idptest.EndpointUserRealm, "") + srv.CountRequests(idptest.EndpointInstanceDiscovery, ""); n != 0 {
			t.Errorf("%d user realm or instance discovery requests to a generic provider", n)
		}
		if got := rec.grants("password")[0].form.Get("scope"); got != "openid profile offline_access" {
			t.Errorf("scope %q", got)
		}
	})

	t.Run("browser", func(t *testing.T) {
		var redirect string
		open := browserOpener(t, e, "bob@contoso.example", "demo-bob", func(resp *idptest.AuthResponse) { redirect = resp.RedirectURI })
		r, err := e.client.AcquireTokenInteractive(ctx, nil, WithOpenURL(open), WithTimeout(10*time.Second), WithPrompt("select_account"))
		if err != nil {
			t.Fatal(err)
		}
		if r.Account.Username != "bob@contoso.example" || !strings.HasPrefix(redirect, "http://127.0.0.1:") || !strings.HasSuffix(redirect, "/callback") {
			t.Errorf("account %s, redirect %s", r.Account.Username, redirect)
		}
	})

	t.Run("device", func(t *testing.T) {
		dc, err := e.client.InitiateDeviceFlow(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.ApproveDeviceCode(dc.UserCode, "carol@contoso.example"); err != nil {
			t.Fatal(err)
		}
		r, err := e.client.AcquireTokenByDeviceFlow(ctx, dc)
		if err != nil || r.Account.Username != "carol@contoso.example" {
			t.Fatalf("%v %v", r, err)
		}
	})

	t.Run("refresh sends no scope", func(t *testing.T) {
		accounts, err := e.client.Accounts(ctx)
		if err != nil || len(accounts) != 3 {
			t.Fatalf("accounts %v %v", accounts, err)
		}
		for _, a := range accounts {
			if a.Issuer != srv.OIDCIssuer(idptest.OIDCStrict) {
				t.Errorf("account %s has issuer %q", a.Username, a.Issuer)
			}
			r, err := e.client.AcquireTokenSilent(ctx, nil, a, WithForceRefresh())
			if err != nil || r.Source != SourceIdentityProvider {
				t.Fatalf("refresh %s: %v %v", a.Username, r, err)
			}
		}
		for _, req := range rec.grants("refresh_token") {
			if req.form.Has("scope") || req.form.Has("client_info") || req.header.Get("X-AnchorMailbox") != "" {
				t.Errorf("refresh sent scope %q client_info %q anchor %q", req.form.Get("scope"), req.form.Get("client_info"), req.header.Get("X-AnchorMailbox"))
			}
		}
	})
}

// TestOIDCAccountsCannotCollide signs the same user (the same sub) in at
// two issuers on one host and port: two accounts, each refreshed only at
// its own issuer.
func TestOIDCAccountsCannotCollide(t *testing.T) {
	srv := idptest.Start(t, idptest.Options{TLS: true})
	ctx := context.Background()
	store := NewMemoryStore(nil)
	one, recOne := oidcEnv(t, srv, store, idptest.OIDCPlain)
	two, recTwo := oidcEnv(t, srv, store, idptest.OIDCStrict)
	a1, err := one.client.AcquireTokenByUsernamePassword(ctx, nil, alice, Secret("demo-alice"))
	if err != nil {
		t.Fatal(err)
	}
	a2, err := two.client.AcquireTokenByUsernamePassword(ctx, nil, alice, Secret("demo-alice"))
	if err != nil {
		t.Fatal(err)
	}
	if a1.Account.HomeAccountID == a2.Account.HomeAccountID {
		t.Fatalf("one home account id %q for two issuers", a1.Account.HomeAccountID)
	}
	for _, c := range []struct {
		e    *env
		rec  *formRecorder
		want Account
	}{{one, recOne, a1.Account}, {two, recTwo, a2.Account}} {
		accounts, err := c.e.client.Accounts(ctx)
		if err != nil || len(accounts) != 1 || accounts[0].HomeAccountID != c.want.HomeAccountID {
			t.Fatalf("%s lists %v (%v), want its own account only", c.e.client.Authority(), accounts, err)
		}
		if _, err := c.e.client.AcquireTokenSilent(ctx, nil, accounts[0], WithForceRefresh()); err != nil {
			t.Fatal(err)
		}
		for _, req := range c.rec.grants("refresh_token") {
			if !strings.HasPrefix(req.url, c.e.client.Authority().Issuer+"/") {
				t.Errorf("a refresh token went to %s", req.url)
			}
		}
	}
}

func TestOIDCProtocolDetails(t *testing.T) {
	srv := idptest.Start(t, idptest.Options{TLS: true})
	ctx := context.Background()

	t.Run("aud as an array", func(t *testing.T) {
		e, _ := oidcEnv(t, srv, NewMemoryStore(nil), idptest.OIDCAudArray)
		open := browserOpener(t, e, alice, "demo-alice", nil)
		if _, err := e.client.AcquireTokenInteractive(ctx, nil, WithOpenURL(open), WithTimeout(10*time.Second)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("the old refresh token is kept when none is returned", func(t *testing.T) {
		e, rec := oidcEnv(t, srv, NewMemoryStore(nil), idptest.OIDCNoRotate)
		r, err := e.client.AcquireTokenByUsernamePassword(ctx, nil, alice, Secret("demo-alice"))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if _, err := e.client.AcquireTokenSilent(ctx, nil, r.Account, WithForceRefresh()); err != nil {
				t.Fatalf("refresh %d: %v", i, err)
			}
		}
		rts := e.store.Snapshot().FindRefreshTokens(rtOf(r.Account))
		sent := rec.grants("refresh_token")
		if len(rts) != 1 || len(sent) != 2 || sent[0].form.Get("refresh_token") != sent[1].form.Get("refresh_token") {
			t.Errorf("%d refresh tokens kept, %d refreshes", len(rts), len(sent))
		}
	})

	t.Run("resource scopes are sent on refresh, reserved ones are not", func(t *testing.T) {
		e, rec := oidcEnv(t, srv, NewMemoryStore(nil), idptest.OIDCPlain)
		r, err := e.client.AcquireTokenByUsernamePassword(ctx, graph, alice, Secret("demo-alice"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.client.AcquireTokenSilent(ctx, graph, r.Account, WithForceRefresh()); err != nil {
			t.Fatal(err)
		}
		if got := rec.grants("refresh_token")[0].form.Get("scope"); got != graph[0] {
			t.Errorf("refresh scope %q, want %q", got, graph[0])
		}
	})
}

// TestOIDCBadInput: one clear error naming the provider, nothing stored.
func TestOIDCBadInput(t *testing.T) {
	srv := idptest.Start(t, idptest.Options{TLS: true})
	ctx := context.Background()
	for _, tt := range []struct {
		variant string
		want    []string
		run     func(c *Client) error
	}{
		{idptest.OIDCNoDevice, []string{"offers no device-code sign-in", "device_authorization_endpoint"}, func(c *Client) error {
			_, err := c.InitiateDeviceFlow(ctx, nil)
			return err
		}},
		{idptest.OIDCNoDevice, []string{"offers no password sign-in", "grant_types_supported"}, func(c *Client) error {
			_, err := c.AcquireTokenByUsernamePassword(ctx, nil, alice, Secret("demo-alice"))
			return err
		}},
		{idptest.OIDCOtherHost, []string{"token_endpoint points at", "another host"}, func(c *Client) error {
			_, err := c.AcquireTokenByUsernamePassword(ctx, nil, alice, Secret("demo-alice"))
			return err
		}},
		{idptest.OIDCWrongIssuer, []string{"names the issuer", srv.OIDCIssuer(idptest.OIDCPlain)}, func(c *Client) error {
			_, err := c.AcquireTokenByUsernamePassword(ctx, nil, alice, Secret("demo-alice"))
			return err
		}},
	} {
		t.Run(tt.variant, func(t *testing.T) {
			e, _ := oidcEnv(t, srv, NewMemoryStore(nil), tt.variant)
			err := tt.run(e.client)
			if err == nil {
				t.Fatal("accepted")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, srv.OIDCIssuer(tt.variant)) {
				t.Errorf("error %q: want one line naming %s", msg, srv.OIDCIssuer(tt.variant))
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if accounts := e.store.Snapshot().Accounts(); len(accounts) != 0 {
				t.Errorf("stored %v", accounts)
			}
		})
	}

	t.Run("a refused parameter names the provider", func(t *testing.T) {
		// An Entra authority's parameters sent to the strict provider, as
		// if it were configured with --authority: its refusal comes back.
		e, _ := oidcEnv(t, srv, NewMemoryStore(nil), idptest.OIDCStrict)
		_, err := e.client.AcquireTokenByUsernamePassword(ctx, nil, alice, Secret("demo-alice"), WithClaims(`{"id_token":{"acr":{"essential":true}}}`))
		var oerr *Error
		if !errors.As(err, &oerr) || !strings.Contains(err.Error(), "claims") || !strings.HasPrefix(err.Error(), srv.OIDCIssuer(idptest.OIDCStrict)+" refused the request: ") {
			t.Fatalf("error %v: want the provider's refusal naming the provider and claims", err)
		}
	})
}

// TestADFS: discovery without /v2.0, no instance discovery or user realm,
// no client_info: the account is the ID token's sub, ADFS-typed, under the
// host with its port.
func TestADFS(t *testing.T) {
	srv := idptest.Start(t, idptest.Options{TLS: true, DeviceCodeInterval: time.Second})
	e := newEnvFor(t, srv, NewMemoryStore(nil), func(c *Config) { c.Authority = srv.ADFSAuthority() })
	ctx := context.Background()
	r, err := e.client.AcquireTokenByUsernamePassword(ctx, graph, alice, Secret("demo-alice"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Account.HomeAccountID, "adfs-") || r.Account.Environment != srv.Host() || r.Account.Realm != "adfs" {
		t.Errorf("account %+v", r.Account)
	}
	if n := srv.CountRequests(idptest.EndpointUserRealm, "") + srv.CountRequests(idptest.EndpointInstanceDiscovery, ""); n != 0 {
		t.Errorf("%d user realm or instance discovery requests to AD FS", n)
	}
	accounts := e.store.Snapshot().Accounts()
	if len(accounts) != 1 || accounts[0].AuthorityType != cache.AuthorityTypeADFS {
		t.Fatalf("accounts %+v", accounts)
	}
	if _, err := e.client.AcquireTokenSilent(ctx, graph, r.Account, WithForceRefresh()); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	dc, err := e.client.InitiateDeviceFlow(ctx, graph)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.ApproveDeviceCode(dc.UserCode, alice); err != nil {
		t.Fatal(err)
	}
	again, err := e.client.AcquireTokenByDeviceFlow(ctx, dc)
	if err != nil || again.Account.HomeAccountID != r.Account.HomeAccountID {
		t.Fatalf("device sign-in: %v %v", again.Account, err)
	}
}

// TestB2C: the policy stays in every request's address, no instance
// discovery, and the account's uid carries the policy.
func TestB2C(t *testing.T) {
	srv := idptest.Start(t, idptest.Options{TLS: true})
	authority := srv.B2CAuthority("B2C_1_SignIn")
	e := newEnvFor(t, srv, NewMemoryStore(nil), func(c *Config) { c.Authority = authority })
	ctx := context.Background()
	r, err := e.client.AcquireTokenByUsernamePassword(ctx, graph, alice, Secret("demo-alice"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Account.HomeAccountID, "-b2c_1_signin.") {
		t.Errorf("home account id %q lacks the policy", r.Account.HomeAccountID)
	}
	for _, req := range srv.Requests() {
		if req.Endpoint == idptest.EndpointToken && !strings.Contains(req.Path, "/B2C_1_SignIn/") {
			t.Errorf("token request to %s", req.Path)
		}
		if req.Endpoint == idptest.EndpointInstanceDiscovery || req.Endpoint == idptest.EndpointUserRealm {
			t.Errorf("%s request for B2C", req.Endpoint)
		}
	}
	if _, err := e.client.InitiateDeviceFlow(ctx, graph); err == nil || !strings.Contains(err.Error(), "device_authorization_endpoint") {
		t.Errorf("device flow at B2C: %v", err)
	}
	if _, err := e.client.AcquireTokenSilent(ctx, graph, r.Account, WithForceRefresh()); err != nil {
		t.Fatalf("refresh: %v", err)
	}
}

// hostResolver sends every request to the emulator whatever host it
// names, keeping the name in the Host header, as DNS pointing the name at
// the emulator would.
type hostResolver struct {
	srv  *idptest.Server
	next http.RoundTripper
}

func (h hostResolver) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Host = r.URL.Host
	r.URL.Host = h.srv.Host()
	return h.next.RoundTrip(r)
}

// TestCIAM: a path-less ciamlogin.com authority is the subdomain's
// onmicrosoft.com tenant, discovered under /v2.0 without instance
// discovery.
func TestCIAM(t *testing.T) {
	srv := idptest.Start(t, idptest.Options{TLS: true})
	e := newEnvFor(t, srv, NewMemoryStore(nil), func(c *Config) {
		c.Authority = "https://contoso.ciamlogin.com/contoso.example"
		c.HTTPClient = &http.Client{Transport: hostResolver{srv: srv, next: srv.Client().Transport}}
	})
	r, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, alice, Secret("demo-alice"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Account.Environment != "contoso.ciamlogin.com" {
		t.Errorf("environment %q", r.Account.Environment)
	}
	for _, req := range srv.Requests() {
		if req.Endpoint == idptest.EndpointInstanceDiscovery || req.Endpoint == idptest.EndpointUserRealm {
			t.Errorf("%s request for CIAM", req.Endpoint)
		}
	}
	if a, _ := ParseAuthority("https://contoso.ciamlogin.com/"); a.Tenant != "contoso.onmicrosoft.com" {
		t.Errorf("path-less CIAM tenant %q", a.Tenant)
	}
}

// TestInstanceDiscoverySwitch: the emulator's host is no known cloud, so
// it is checked with instance discovery unless the switch is off.
func TestInstanceDiscoverySwitch(t *testing.T) {
	for _, off := range []bool{false, true} {
		srv := idptest.Start(t, idptest.Options{TLS: true})
		e := newEnvFor(t, srv, NewMemoryStore(nil), func(c *Config) { c.DisableInstanceDiscovery = off })
		e.signIn(t, alice, "demo-alice")
		if n := srv.CountRequests(idptest.EndpointInstanceDiscovery, ""); (n == 0) != off {
			t.Errorf("instance discovery off=%v: %d requests", off, n)
		}
	}
}

func TestLoopbackRedirect(t *testing.T) {
	entraAuthority, _ := ParseAuthority("https://login.microsoftonline.com/common")
	oidcAuthority, _ := ParseOIDCAuthority("https://idp.example.com")
	for _, tt := range []struct {
		a        Authority
		redirect string
		want     string // with port 5000
		listen   string
		wantErr  bool
	}{
		{entraAuthority, "", "http://localhost:5000", "127.0.0.1", false},
		{oidcAuthority, "", "http://127.0.0.1:5000/callback", "127.0.0.1", false},
		{oidcAuthority, "http://127.0.0.1:7000/", "http://127.0.0.1:7000/", "127.0.0.1", false},
		{oidcAuthority, "http://[::1]:7000/cb", "http://[::1]:7000/cb", "::1", false},
		{oidcAuthority, "http://localhost/cb", "http://localhost:5000/cb", "127.0.0.1", false},
		{oidcAuthority, "https://127.0.0.1:7000/cb", "", "", true},
		{oidcAuthority, "http://example.com:7000/cb", "", "", true},
	} {
		target, err := loopbackRedirect(tt.a, callOptions{redirectURI: tt.redirect})
		if (err != nil) != tt.wantErr {
			t.Errorf("%q: error %v", tt.redirect, err)
			continue
		}
		if err != nil {
			continue
		}
		port := 5000
		if target.port != 0 {
			port = target.port
		}
		if got := target.uri(port); got != tt.want || target.listen != tt.listen {
			t.Errorf("%q: %s on %s, want %s on %s", tt.redirect, got, target.listen, tt.want, tt.listen)
		}
	}
}
