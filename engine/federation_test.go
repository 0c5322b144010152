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
