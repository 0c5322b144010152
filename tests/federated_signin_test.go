package tests

// Federated username/password sign-in: MSAL Python (Debian's 1.21) signs in
// users of the emulator's federated domains (user realm → mex → WS-Trust at
// the emulated AD FS → SAML bearer grant), which shows the emulator has the
// shapes Microsoft's client expects; then acctui's CLI does the same
// sign-in and the same requests reach the emulator.

import (
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// federatedUsers are the default directory's users of federated domains,
// one per WS-Trust version and SAML version.
var federatedUsers = []struct {
	name, username, password, wsTrustPath, grant, tenantID, tenant string
}{
	{"wstrust13-saml11", "erin@ad.contoso.example", "demo-erin",
		"/sts/ad.contoso.example/adfs/services/trust/13/usernamemixed",
		"urn:ietf:params:oauth:grant-type:saml1_1-bearer", contosoTenantID, "contoso"},
	{"wstrust2005-saml2", "frank@ad.fabrikam.example", "demo-frank",
		"/sts/ad.fabrikam.example/adfs/services/trust/2005/usernamemixed",
		"urn:ietf:params:oauth:grant-type:saml2-bearer", "3f9a8b7c-6d5e-4f4a-8b3c-2d1e0f9a8b7c", "fabrikam"},
}

// checkFederatedRequests checks that a federated sign-in went user realm →
// mex → the expected WS-Trust endpoint → one SAML bearer grant, and that
// the password never reached the token endpoint.
func checkFederatedRequests(t *testing.T, recs []requestRecord, username, wsTrustPath, grant string) {
	t.Helper()
	var steps []string
	for _, r := range recs {
		switch r.Endpoint {
		case "userrealm", "mex", "wstrust", "token":
			steps = append(steps, r.Endpoint)
		}
	}
	want := []string{"userrealm", "mex", "wstrust", "token"}
	if !slices.Equal(steps, want) {
		t.Errorf("requests %v, want %v", steps, want)
	}
	for _, r := range recs {
		switch r.Endpoint {
		case "userrealm":
			if !strings.EqualFold(r.Path, "/common/userrealm/"+username) || r.Status != http.StatusOK {
				t.Errorf("user realm request %s → %d", r.Path, r.Status)
			}
		case "wstrust":
			if r.Path != wsTrustPath || r.Status != http.StatusOK {
				t.Errorf("WS-Trust request %s → %d, want %s → 200", r.Path, r.Status, wsTrustPath)
			}
		case "token":
			if r.GrantType != grant || r.Status != http.StatusOK {
				t.Errorf("token request grant %q → %d, want %s → 200", r.GrantType, r.Status, grant)
			}
		}
	}
}

func TestMSALPythonFederatedPassword(t *testing.T) {
	t.Parallel()
	requireMSALPython(t)
	e := startEmulator(t)
	tmp := t.TempDir()
	for _, u := range federatedUsers {
		t.Run(u.name, func(t *testing.T) {
			before := e.requests(t)
			res := e.runMSAL(t, filepath.Join(tmp, u.name+".json"), "ropc", "--username", u.username, "--password", u.password,
				"--authority", e.ann.Tenants[u.tenant].Authority)
			if !res.OK {
				t.Fatalf("MSAL Python federated ROPC failed: %s %v: %s", res.Error, res.ErrorCodes, res.ErrorDescription)
			}
			if res.IDTokenClaims["preferred_username"] != u.username || res.IDTokenClaims["tid"] != u.tenantID {
				t.Errorf("id_token claims %v, want %s of tenant %s", res.IDTokenClaims, u.username, u.tenantID)
			}
			if !res.HasRefreshToken || len(res.Cache.Accounts) != 1 ||
				res.Cache.Accounts[0].HomeAccountID != res.IDTokenClaims["oid"]+"."+u.tenantID {
				t.Errorf("refresh token %v, cache accounts %+v", res.HasRefreshToken, res.Cache.Accounts)
			}
			checkFederatedRequests(t, e.requests(t)[len(before):], u.username, u.wsTrustPath, u.grant)
		})
	}
	t.Run("wrong-password", func(t *testing.T) {
		// MSAL Python raises on a WS-Trust fault (RuntimeError); the
		// scenario exits non-zero and no token request is made.
		before := e.requests(t)
		cmd, stderr := e.pythonCommand(t.Context(), t, filepath.Join(tmp, "wrong.json"), "ropc", "--username", "erin@ad.contoso.example", "--password", "wrong")
		if out, err := cmd.Output(); err == nil {
			t.Fatalf("MSAL Python accepted a wrong federated password: %s", out)
		}
		if !strings.Contains(stderr.String(), "FailedAuthentication") {
			t.Errorf("MSAL Python's error does not name AD FS's fault:\n%s", stderr)
		}
		if n := count(e.requests(t)[len(before):], "token", ""); n != 0 {
			t.Errorf("token requests = %d after AD FS refused, want 0", n)
		}
	})
}

func TestCLIFederatedPassword(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	s := newCLISuite(t, e)
	for _, u := range federatedUsers {
		t.Run(u.name, func(t *testing.T) {
			c := s.newEnv(t, u.name).with("ACCTUI_AUTHORITY", e.ann.Tenants[u.tenant].Authority)
			before := e.requests(t)
			c.loginPassword(t, u.username, u.password).want(t, 0)
			checkFederatedRequests(t, e.requests(t)[len(before):], u.username, u.wsTrustPath, u.grant)
			if got := usernames(c.accountsJSON(t)); !slices.Equal(got, []string{u.username}) {
				t.Errorf("accounts = %v, want [%s]", got, u.username)
			}
			tok := c.token(t, "--account", u.username)
			if tok.Account.Username != u.username || tok.Source != "cache" {
				t.Errorf("token for %s: account %q source %q, want it from the cache", u.username, tok.Account.Username, tok.Source)
			}
		})
	}
	t.Run("wrong-password", func(t *testing.T) {
		c := s.newEnv(t, "federated-wrong")
		before := e.requests(t)
		res := c.loginPassword(t, "erin@ad.contoso.example", "not-erin")
		if res.code == 0 {
			t.Fatalf("login with a wrong federated password succeeded:\n%s", res)
		}
		if line := res.errorLine(); !strings.Contains(line, "ID3242") || strings.Contains(res.stderr, "not-erin") {
			t.Errorf("error line %q should carry AD FS's reason and never the password", line)
		}
		if n := count(e.requests(t)[len(before):], "token", ""); n != 0 {
			t.Errorf("token requests = %d after AD FS refused, want 0", n)
		}
	})
}
