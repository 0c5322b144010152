package engine

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"acctui/engine/idptest"
)

// TestFederatedUsernamePassword signs in users of federated domains as
// MSAL does: user realm, mex, WS-Trust, SAML bearer grant.
func TestFederatedUsernamePassword(t *testing.T) {
	cases := []struct {
		name, username, password, wsTrustPath, grant string
	}{
		{"wstrust13-saml11", "erin@ad.contoso.example", "demo-erin", "/sts/ad.contoso.example/adfs/services/trust/13/usernamemixed", grantSAML11},
		{"wstrust2005-saml2", "frank@ad.fabrikam.example", "demo-frank", "/sts/ad.fabrikam.example/adfs/services/trust/2005/usernamemixed", grantSAML2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			r, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, tc.username, Secret(tc.password))
			if err != nil {
				t.Fatalf("federated sign-in: %v", err)
			}
			if r.Account.Username != tc.username || r.AccessToken.IsZero() || r.IDToken.IsZero() {
				t.Errorf("result account %q, access token %v, id token %v", r.Account.Username, !r.AccessToken.IsZero(), !r.IDToken.IsZero())
			}
			if r.Account.HomeAccountID == "" || !strings.HasSuffix(r.Account.HomeAccountID, "."+r.IDTokenClaims["tid"].(string)) {
				t.Errorf("home account id %q does not end in the tenant %v", r.Account.HomeAccountID, r.IDTokenClaims["tid"])
			}
			var paths []string
			for _, rec := range e.srv.Requests() {
				paths = append(paths, rec.Endpoint+" "+rec.Path+" "+rec.GrantType)
			}
			if n := e.tokenCalls(tc.grant); n != 1 {
				t.Errorf("%s grants = %d, want 1; requests: %v", tc.grant, n, paths)
			}
			if n := e.tokenCalls("password"); n != 0 {
				t.Errorf("password grants = %d, want none: the password must go to AD FS only", n)
			}
			for _, ep := range []string{idptest.EndpointUserRealm, idptest.EndpointMex, idptest.EndpointWSTrust} {
				if n := e.srv.CountRequests(ep, ""); n != 1 {
					t.Errorf("%s requests = %d, want 1; requests: %v", ep, n, paths)
				}
			}
			found := false
			for _, rec := range e.srv.Requests() {
				if rec.Endpoint == idptest.EndpointWSTrust {
					found = rec.Path == tc.wsTrustPath && rec.Status == http.StatusOK
				}
			}
			if !found {
				t.Errorf("no successful WS-Trust request to %s: %v", tc.wsTrustPath, paths)
			}
			// The tokens landed in the cache: a silent call needs no request.
			accts, err := e.client.Accounts(context.Background())
			if err != nil || len(accts) != 1 {
				t.Fatalf("accounts = %v, %v", accts, err)
			}
			before := len(e.srv.Requests())
			if _, err := e.client.AcquireTokenSilent(context.Background(), graph, accts[0]); err != nil {
				t.Fatalf("silent after federated sign-in: %v", err)
			}
			if after := len(e.srv.Requests()); after != before {
				t.Errorf("silent call sent %d requests, want 0", after-before)
			}
		})
	}
}

func TestFederatedWrongPassword(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, "erin@ad.contoso.example", Secret("not-her-password"))
	var fe *FederationError
	if !errors.As(err, &fe) || !fe.IsFailedAuthentication() {
		t.Fatalf("err = %v, want a FederationError for failed authentication", err)
	}
	if !strings.Contains(err.Error(), "ID3242") || strings.Contains(err.Error(), "not-her-password") {
		t.Errorf("error %q should carry AD FS's reason and never the password", err)
	}
	if n := e.tokenCalls(""); n != 0 {
		t.Errorf("token requests = %d after AD FS refused, want 0", n)
	}
}

// TestUserRealmAnswers: 200 and 404 let the sign-in go on, as in MSAL;
// any other answer is an error and no password is sent anywhere.
func TestUserRealmAnswers(t *testing.T) {
	cases := []struct {
		name    string
		fault   *idptest.Fault
		wantErr bool
	}{
		{"200", nil, false},
		{"404 (no user realm endpoint)", &idptest.Fault{Endpoint: idptest.EndpointUserRealm, Kind: idptest.FaultStatus, Status: 404}, false},
		{"500", &idptest.Fault{Endpoint: idptest.EndpointUserRealm, Kind: idptest.FaultStatus, Status: 500}, true},
		{"429", &idptest.Fault{Endpoint: idptest.EndpointUserRealm, Kind: idptest.FaultStatus, Status: 429}, true},
		{"502 HTML from a proxy", &idptest.Fault{Endpoint: idptest.EndpointUserRealm, Kind: idptest.FaultHTML}, true},
		{"200 malformed", &idptest.Fault{Endpoint: idptest.EndpointUserRealm, Kind: idptest.FaultMalformedJSON}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			if tc.fault != nil {
				if err := e.srv.InjectFault(*tc.fault); err != nil {
					t.Fatal(err)
				}
			}
			_, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, alice, Secret("demo-alice"))
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "user realm") {
					t.Fatalf("err = %v, want a user realm discovery error", err)
				}
				if n := e.tokenCalls(""); n != 0 {
					t.Errorf("token requests = %d, want 0", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("sign-in: %v", err)
			}
			if n := e.tokenCalls("password"); n != 1 {
				t.Errorf("password grants = %d, want 1", n)
			}
		})
	}
}

// TestFederatedPasswordNeedsEscaping: characters that mean something in
// XML reach AD FS as the password, not as markup.
func TestFederatedPasswordNeedsEscaping(t *testing.T) {
	const password = `p<&>"'x]]></wsse:Password>`
	dir := idptest.DefaultDirectory()
	dir.Tenants[0].Users = append(dir.Tenants[0].Users, &idptest.User{Username: "mallory@ad.contoso.example", Password: password})
	srv := idptest.Start(t, idptest.Options{TLS: true, Directory: dir})
	e := newEnvFor(t, srv, NewMemoryStore(nil))
	r, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, "mallory@ad.contoso.example", Secret(password))
	if err != nil {
		t.Fatalf("sign-in with %q: %v", password, err)
	}
	if r.Account.Username != "mallory@ad.contoso.example" {
		t.Errorf("account %q", r.Account.Username)
	}
}

// TestDirectPasswordGrantForFederatedUser: Entra cannot check a federated
// user's password, so the plain password grant fails as for a wrong one.
func TestDirectPasswordGrantForFederatedUser(t *testing.T) {
	e := newEnv(t)
	a, err := ParseAuthority(e.srv.Authority("contoso"))
	if err != nil {
		t.Fatal(err)
	}
	call := grantCall{authority: a, scopes: graph, grantType: "password", username: "erin@ad.contoso.example",
		form: map[string][]string{"grant_type": {"password"}, "username": {"erin@ad.contoso.example"},
			"password": {"demo-erin"}, "scope": {decorate(graph)}}}
	_, err = e.client.redeem(context.Background(), call, callOptions{})
	var ee *Error
	if !errors.As(err, &ee) || ee.Code != "invalid_grant" || !ee.HasCode(50126) {
		t.Fatalf("err = %v, want invalid_grant AADSTS50126", err)
	}
}

// TestFederatedProviderFaults: a broken AD FS gives one readable error and
// no token request.
func TestFederatedProviderFaults(t *testing.T) {
	for _, f := range []idptest.Fault{
		{Endpoint: idptest.EndpointMex, Kind: idptest.FaultStatus, Status: 503},
		{Endpoint: idptest.EndpointMex, Kind: idptest.FaultHTML},
		{Endpoint: idptest.EndpointWSTrust, Kind: idptest.FaultHTML},
		{Endpoint: idptest.EndpointWSTrust, Kind: idptest.FaultDrop},
		{Endpoint: idptest.EndpointWSTrust, Kind: idptest.FaultTruncated},
	} {
		t.Run(f.Endpoint+"/"+string(f.Kind), func(t *testing.T) {
			e := newEnv(t)
			if err := e.srv.InjectFault(f); err != nil {
				t.Fatal(err)
			}
			_, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, "erin@ad.contoso.example", Secret("demo-erin"))
			if err == nil || strings.Contains(err.Error(), "demo-erin") || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %q, want one line without the password", err)
			}
			if n := e.tokenCalls(""); n != 0 {
				t.Errorf("token requests = %d, want 0", n)
			}
			if n := e.srv.CountRequests(idptest.EndpointWSTrust, ""); n > 1 {
				t.Errorf("WS-Trust requests = %d: a request carrying a password must not be resent", n)
			}
		})
	}
}

// TestPersonalAccountPassword: user realm discovery puts personal Microsoft
// accounts in live.com's federation; they never take a password here, and
// the engine says so without sending the password anywhere.
func TestPersonalAccountPassword(t *testing.T) {
	dir := idptest.DefaultDirectory()
	dir.Tenants = append(dir.Tenants, &idptest.Tenant{Name: "msa", ID: idptest.ConsumersTenantID, Domain: "outlook.example",
		Users: []*idptest.User{{Username: "pat@outlook.example", Password: "demo-pat"}}})
	srv := idptest.Start(t, idptest.Options{TLS: true, Directory: dir})
	e := newEnvFor(t, srv, NewMemoryStore(nil), func(c *Config) { c.Authority = srv.Authority("consumers") })
	_, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, "pat@outlook.example", Secret("demo-pat"))
	if err == nil || !strings.Contains(err.Error(), "personal Microsoft account") {
		t.Fatalf("err = %v, want the personal-account refusal", err)
	}
	for _, ep := range []string{idptest.EndpointMex, idptest.EndpointWSTrust, idptest.EndpointToken} {
		if n := srv.CountRequests(ep, ""); n != 0 {
			t.Errorf("%s requests = %d, want 0", ep, n)
		}
	}
}
