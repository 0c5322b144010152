package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIAuthorities runs the binary against the emulator's other
// authority shapes: a generic OpenID Connect issuer, AD FS and B2C, the
// instance discovery switch, and the one-line refusals.
func TestCLIAuthorities(t *testing.T) {
	e := startEmulator(t)
	s := newCLISuite(t, e)
	oidcIssuer := e.ann.URL + "/oidc/strict"

	t.Run("oidc authority", func(t *testing.T) {
		c := s.newEnv(t, "oidc").with("ACCTUI_AUTHORITY", "", "ACCTUI_OIDC_AUTHORITY", oidcIssuer)
		res := c.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		if !strings.Contains(res.stderr, "Signed in as "+aliceUsername+" (issuer "+oidcIssuer+")") {
			t.Errorf("login:\n%s", res.stderr)
		}
		out := c.run(t, nil, "accounts").want(t, 0)
		if !strings.Contains(out.stdout, "issuer "+oidcIssuer) {
			t.Errorf("accounts:\n%s", out.stdout)
		}
		if tok := c.token(t); tok.Source != "cache" {
			t.Errorf("token source %q", tok.Source)
		}
		if tok := c.token(t, "--force-refresh"); tok.Source != "identity_provider" {
			t.Errorf("force-refresh source %q", tok.Source)
		}
		// The same settings from the config file.
		f := s.newEnv(t, "oidc-config").with("ACCTUI_AUTHORITY", "")
		writeEnvConfig(t, f, "oidc_authority = \""+oidcIssuer+"\"\n")
		f.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		if accounts := f.accountsJSON(t); len(accounts) != 1 {
			t.Errorf("config file oidc_authority: accounts %v", accounts)
		}
	})

	t.Run("adfs authority", func(t *testing.T) {
		e.resetRequests(t)
		c := s.newEnv(t, "adfs").with("ACCTUI_AUTHORITY", e.ann.URL+"/adfs")
		res := c.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		if !strings.Contains(res.stderr, "(AD FS "+e.ann.URL+"/adfs)") {
			t.Errorf("login:\n%s", res.stderr)
		}
		recs := e.requests(t)
		if n := count(recs, "userrealm", "") + count(recs, "instance-discovery", ""); n != 0 {
			t.Errorf("%d user realm or instance discovery requests for AD FS", n)
		}
		c.token(t, "--force-refresh")
	})

	t.Run("b2c authority", func(t *testing.T) {
		c := s.newEnv(t, "b2c").with("ACCTUI_AUTHORITY", e.ann.URL+"/contoso.example/B2C_1_SignIn")
		res := c.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		if !strings.Contains(res.stderr, ", B2C)") {
			t.Errorf("login does not name B2C:\n%s", res.stderr)
		}
	})

	t.Run("instance discovery switch", func(t *testing.T) {
		for _, setting := range []string{"on", "off"} {
			e.resetRequests(t)
			c := s.newEnv(t, "discovery-"+setting).with("ACCTUI_INSTANCE_DISCOVERY", setting)
			c.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
			if n := count(e.requests(t), "instance-discovery", ""); (n == 0) != (setting == "off") {
				t.Errorf("--instance-discovery %s: %d instance discovery requests", setting, n)
			}
		}
		bad := s.newEnv(t, "discovery-bad").with("ACCTUI_INSTANCE_DISCOVERY", "maybe")
		if line := bad.run(t, nil, "login", "--method", "device").want(t, 2).errorLine(); !strings.Contains(line, "want on or off") {
			t.Errorf("error line %q", line)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		c := s.newEnv(t, "oidc-bad").with("ACCTUI_AUTHORITY", "", "ACCTUI_OIDC_AUTHORITY", e.ann.URL+"/oidc/no-device")
		line := c.run(t, nil, "login", "--method", "device").want(t, 1).errorLine()
		if !strings.Contains(line, e.ann.URL+"/oidc/no-device") || !strings.Contains(line, "device_authorization_endpoint") {
			t.Errorf("missing endpoint: %q", line)
		}
		other := c.with("ACCTUI_OIDC_AUTHORITY", e.ann.URL+"/oidc/other-host")
		if line := other.loginPassword(t, aliceUsername, alicePassword).want(t, 1).errorLine(); !strings.Contains(line, "another host") {
			t.Errorf("other host: %q", line)
		}
		strict := c.with("ACCTUI_OIDC_AUTHORITY", oidcIssuer)
		line = strict.loginPassword(t, aliceUsername, alicePassword, "--claims", `{"id_token":{"acr":{"essential":true}}}`).want(t, 1).errorLine()
		if !strings.Contains(line, oidcIssuer+" refused the request") || !strings.Contains(line, "claims") {
			t.Errorf("refused parameter: %q", line)
		}
		if accounts := c.accountsJSON(t); len(accounts) != 0 {
			t.Errorf("refused providers left accounts: %v", accounts)
		}
		tenant := s.newEnv(t, "oidc-tenant").with("ACCTUI_AUTHORITY", "", "ACCTUI_OIDC_AUTHORITY", oidcIssuer)
		if line := tenant.run(t, nil, "login", "--method", "device", "--tenant", "contoso.example").want(t, 2).errorLine(); !strings.Contains(line, "--tenant does not apply") {
			t.Errorf("--tenant: %q", line)
		}
		plain := s.newEnv(t, "oidc-http").with("ACCTUI_AUTHORITY", "", "ACCTUI_OIDC_AUTHORITY", "http://idp.example.com")
		if line := plain.run(t, nil, "login", "--method", "device").want(t, 2).errorLine(); !strings.Contains(line, "loopback") {
			t.Errorf("http issuer: %q", line)
		}
		entra := s.newEnv(t, "bad-authority").with("ACCTUI_AUTHORITY", "https://login.microsoftonline.com")
		if line := entra.run(t, nil, "login", "--method", "device").want(t, 2).errorLine(); !strings.Contains(line, "b2clogin.com") || !strings.Contains(line, "--oidc-authority") {
			t.Errorf("bad authority does not list the accepted forms: %q", line)
		}
	})
}

// writeEnvConfig writes the environment's config.toml.
func writeEnvConfig(t *testing.T, c *cliEnv, content string) {
	t.Helper()
	dir := filepath.Join(c.vars["XDG_CONFIG_HOME"], "acctui")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
