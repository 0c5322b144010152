package tests

// The Azure CLI's service principals imported into acctui: az 2.45 signs
// two apps in offline against the emulator (one with a secret, one with a
// certificate file) and writes service_principal_entries.json; import
// --azure-cli stores each sealed, as login --service-principal does, and
// acctui serves their tokens. Then use, the exec credential and git's
// credential helper with an active app, and bad input.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"acctui/engine"
	"acctui/engine/idptest"
)

const (
	azSecretAppID  = "6e5d4c3b-2a19-4f8e-8d7c-6b5a4f3e2d1c"
	azSecretApp    = "az-sp-secret-Sentinel-31c7"
	azCertAppID    = "7f6e5d4c-3b2a-4190-8e7d-6c5b4a3f2e1d"
	azSPEntryFile  = "service_principal_entries.json"
	devOpsResource = "499b84ac-1321-427f-aa17-267ca6975798"
)

// azSPWorld is an emulator with two apps (one trusting a secret, one a
// certificate) and the certificate file, with its key, az is given.
type azSPWorld struct {
	e        *emulator
	s        *cliSuite
	certFile string
	keyPEM   string
}

func newAzSPWorld(t *testing.T) *azSPWorld {
	t.Helper()
	dir := t.TempDir()
	now := time.Now()
	cert, err := idptest.NewAppCertificate("az-sp", now.Add(-time.Hour), now.Add(30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	d := idptest.DefaultDirectory()
	d.Apps = append(d.Apps,
		&idptest.App{ClientID: azSecretAppID, Name: "az secret app", Secret: azSecretApp},
		&idptest.App{ClientID: azCertAppID, Name: "az certificate app", Certificates: []string{string(cert.CertificatePEM())}})
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	directory := filepath.Join(dir, "directory.json")
	writeFile(t, directory, string(raw))
	w := &azSPWorld{certFile: filepath.Join(dir, "az-sp.pem"), keyPEM: string(cert.KeyPEM())}
	writeFile(t, w.certFile, string(cert.CertificatePEM())+string(cert.KeyPEM()))
	w.e = startEmulatorWith(t, "--directory", directory)
	w.s = newCLISuite(t, w.e)
	w.s.remember(azSecretApp, "the az service principal's client secret")
	w.s.remember(w.keyPEM, "the az service principal's private key")
	return w
}

// writeSPEntries writes an az directory holding only entries (in the shape
// az 2.45 writes: a JSON array) and an empty profile.
func writeSPEntries(t *testing.T, dir, entries string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, azSPEntryFile), entries)
	writeFile(t, filepath.Join(dir, "azureProfile.json"), "\ufeff{\"subscriptions\": []}")
}

// checkSPToken gets a token for app id with --account and checks it is
// the app's.
func checkSPToken(t *testing.T, c *cliEnv, id string, args ...string) tokenOutput {
	t.Helper()
	tok := c.token(t, append([]string{"--account", id}, args...)...)
	claims, err := engine.DecodeClaimsUnverified(tok.AccessToken)
	if err != nil || claims.Claims["azp"] != id || claims.Claims["idtyp"] != "app" {
		t.Fatalf("token for %s: claims %v %v", id, claims.Claims, err)
	}
	return tok
}

func TestAzureCLIServicePrincipals(t *testing.T) {
	t.Parallel()
	w := newAzSPWorld(t)

	t.Run("az-login-then-import", func(t *testing.T) {
		az := requireAz(t)
		arm := httptest.NewTLSServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "application/json")
			_, _ = rw.Write([]byte(`{"value": []}`))
		}))
		defer arm.Close()
		c := w.s.newEnv(t, "azsp")
		ca, err := os.ReadFile(w.e.ann.CAFile)
		if err != nil {
			t.Fatal(err)
		}
		bundle := filepath.Join(c.home, "ca-bundle.pem")
		writeFile(t, bundle, string(ca)+"\n"+string(pemCert(arm)))
		// one az directory per app: az 2.45 signs in the secret one, then
		// the certificate one, and keeps both entries
		azDir := filepath.Join(c.home, "azcfg")
		newAzDir(t, w.e, azDir, arm.URL+"/")
		azVars := []string{"AZURE_CONFIG_DIR=" + azDir, "REQUESTS_CA_BUNDLE=" + bundle}
		for _, login := range [][]string{{"-u", azSecretAppID, "-p", azSecretApp}, {"-u", azCertAppID, "-p", w.certFile}} {
			args := append([]string{"login", "--service-principal"}, login...)
			args = append(args, "--tenant", contosoTenantID, "--allow-no-subscriptions")
			if out, errOut, err := runAz(t, c, az, azVars, args...); err != nil {
				t.Fatalf("az login --service-principal %s: %v\n%s%s", login[1], err, out, errOut)
			}
		}
		raw, err := os.ReadFile(filepath.Join(azDir, azSPEntryFile))
		if err != nil {
			t.Fatalf("az wrote no %s: %v", azSPEntryFile, err)
		}
		var entries []map[string]any
		if err := json.Unmarshal(raw, &entries); err != nil || len(entries) != 2 ||
			entries[0]["client_secret"] != azSecretApp || entries[1]["certificate"] != w.certFile {
			t.Fatalf("az's entries are not in the shape acctui reads: %v", err)
		}
		before := dirSnapshot(t, azDir)
		res := c.with("AZURE_CONFIG_DIR", azDir).run(t, nil, "import", "--azure-cli").want(t, 0)
		for _, want := range []string{"Imported app " + azSecretAppID + " (tenant " + contosoTenantID + ", secret)",
			"Imported app " + azCertAppID + " (tenant " + contosoTenantID + ", certificate)"} {
			if !strings.Contains(res.stderr, want) {
				t.Errorf("import did not say %q:\n%s", want, res.stderr)
			}
		}
		if diff := sameSnapshot(before, dirSnapshot(t, azDir)); diff != "" {
			t.Errorf("import changed az's directory: %s", diff)
		}
		// az's default, the app it signed in last, became the active one
		if got := c.run(t, nil, "use").want(t, 0).stdout; got != azCertAppID+"\tservice_principal\n" {
			t.Errorf("az's default app is not the active account: %q\n%s", got, res.stderr)
		}
		accounts := c.accountsJSON(t)
		creds := map[any]any{}
		for _, a := range accounts {
			if a["kind"] == "service_principal" {
				creds[a["client_id"]] = a["credential"]
			}
		}
		if creds[azSecretAppID] != "secret" || creds[azCertAppID] != "certificate" {
			t.Fatalf("accounts after import: %v", accounts)
		}
		for _, id := range []string{azSecretAppID, azCertAppID} {
			checkSPToken(t, c, id)
			if tok := checkSPToken(t, c, id, "--force-refresh"); tok.Source != "identity_provider" {
				t.Errorf("%s: a forced token came from %s", id, tok.Source)
			}
		}
		// a second import replaces, never duplicates
		c.with("AZURE_CONFIG_DIR", azDir).run(t, nil, "import", "--azure-cli").want(t, 0)
		if n := len(c.accountsJSON(t)); n != len(accounts) {
			t.Errorf("a second import left %d accounts, not %d", n, len(accounts))
		}
	})

	t.Run("documented-shape", func(t *testing.T) {
		// without az: the entries as az writes them, secret and certificate
		// (with use_cert_sn_issuer, so the assertion carries x5c)
		c := w.s.newEnv(t, "azdoc")
		dir := filepath.Join(c.home, "az")
		writeSPEntries(t, dir, `[{"client_id": "`+azSecretAppID+`", "tenant": "`+contosoTenantID+`", "client_secret": "`+azSecretApp+`"},
 {"client_id": "`+azCertAppID+`", "tenant": "`+contosoTenantID+`", "certificate": "`+w.certFile+`", "use_cert_sn_issuer": true}]`)
		before := dirSnapshot(t, dir)
		c.run(t, nil, "import", "--azure-cli", dir).want(t, 0)
		if diff := sameSnapshot(before, dirSnapshot(t, dir)); diff != "" {
			t.Errorf("import changed az's directory: %s", diff)
		}
		checkSPToken(t, c, azSecretAppID)
		checkSPToken(t, c, azCertAppID)
		// the vault holds neither credential in the clear
		for _, f := range filesUnder(t, []string{c.vars["ACCTUI_VAULT_DIR"], c.home}) {
			if strings.HasPrefix(f, dir) {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			for _, s := range []string{azSecretApp, "PRIVATE KEY"} {
				if strings.Contains(string(data), s) {
					t.Fatalf("%s holds a credential in the clear", f)
				}
			}
		}
		c.run(t, nil, "logout", azCertAppID, "--yes").want(t, 0)
		c.run(t, nil, "token", "--account", azCertAppID).want(t, 4)
	})

	t.Run("use-an-app", func(t *testing.T) {
		c := w.s.newEnv(t, "azuse")
		dir := filepath.Join(c.home, "az")
		writeSPEntries(t, dir, `[{"client_id": "`+azSecretAppID+`", "tenant": "`+contosoTenantID+`", "client_secret": "`+azSecretApp+`"},
 {"client_id": "`+azCertAppID+`", "tenant": "`+contosoTenantID+`", "certificate": "`+w.certFile+`"}]`)
		c.run(t, nil, "import", "--azure-cli", dir).want(t, 0)
		c.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		// none active: token serves the only person
		if tok := c.token(t); tok.Account.Username != aliceUsername {
			t.Errorf("token without an active account served %s", tok.Account.Username)
		}

		res := c.run(t, nil, "use", azCertAppID).want(t, 0)
		if !strings.Contains(res.stderr, "Active account: app (certificate) "+azCertAppID) {
			t.Errorf("use said: %s", res.stderr)
		}
		if got := c.run(t, nil, "use").want(t, 0).stdout; got != azCertAppID+"\tservice_principal\n" {
			t.Errorf("use printed %q", got)
		}
		active := map[any]bool{}
		for _, a := range c.accountsJSON(t) {
			active[a["username"]] = a["active"] == true
		}
		if !active[azCertAppID] || active[azSecretAppID] || active[aliceUsername] {
			t.Errorf("accounts --json marks: %v", active)
		}
		if table := c.run(t, nil, "accounts").want(t, 0).stdout; !strings.Contains(table, azCertAppID+"  app (certificate)") || strings.Count(table, "(active)") != 1 {
			t.Errorf("accounts table:\n%s", table)
		}
		tok := c.token(t)
		claims, err := engine.DecodeClaimsUnverified(tok.AccessToken)
		if err != nil || claims.Claims["azp"] != azCertAppID {
			t.Fatalf("token without --account is not the active app's: %v %v", claims.Claims, err)
		}
		exec := c.run(t, nil, "token", "-o", "exec-credential").want(t, 0)
		var cred struct {
			Kind   string `json:"kind"`
			Status struct {
				Token               string `json:"token"`
				ExpirationTimestamp string `json:"expirationTimestamp"`
			} `json:"status"`
		}
		if err := json.Unmarshal([]byte(exec.stdout), &cred); err != nil || cred.Kind != "ExecCredential" || cred.Status.Token != tok.AccessToken || cred.Status.ExpirationTimestamp == "" {
			t.Errorf("exec credential: %v", err)
		}
		git := "protocol=https\nhost=dev.azure.com\n\n"
		out := c.run(t, &git, "git-credential", "get").want(t, 0).stdout
		fields := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			k, v, _ := strings.Cut(line, "=")
			fields[k] = v
		}
		w.s.remember(fields["password"], "git's app token")
		gitClaims, err := engine.DecodeClaimsUnverified(fields["password"])
		if err != nil || gitClaims.Claims["azp"] != azCertAppID || !strings.Contains(gitClaims.Claims["aud"].(string), devOpsResource) || fields["username"] != azCertAppID {
			t.Errorf("git-credential get: username %q claims %v %v", fields["username"], gitClaims.Claims, err)
		}

		// a person made active replaces the app, and the other way round
		c.run(t, nil, "use", aliceUsername).want(t, 0)
		if got := c.run(t, nil, "use").want(t, 0).stdout; !strings.HasPrefix(got, aliceUsername+"\t") {
			t.Errorf("use printed %q after making alice active", got)
		}
		if tok := c.token(t); tok.Account.Username != aliceUsername {
			t.Errorf("token served %s, not the active person", tok.Account.Username)
		}
		c.run(t, nil, "use", azSecretAppID).want(t, 0)
		if tok := c.token(t); tok.Account.Username != azSecretAppID {
			t.Errorf("token served %s, not the active app", tok.Account.Username)
		}
		// logging the active app out forgets it
		c.run(t, nil, "logout", azSecretAppID, "--yes").want(t, 0)
		if got := c.run(t, nil, "use").want(t, 0).stdout; got != "" {
			t.Errorf("use still prints %q after logout", got)
		}
		c.run(t, nil, "use", azCertAppID).want(t, 0)
		c.run(t, nil, "use", "--clear").want(t, 0)
		if got := c.run(t, nil, "use").want(t, 0).stdout; got != "" {
			t.Errorf("use prints %q after --clear", got)
		}
	})

	t.Run("bad-input", func(t *testing.T) {
		c := w.s.newEnv(t, "azbad")
		missing := filepath.Join(c.home, "gone.pem")
		for _, tc := range []struct {
			name, entries string
			code          int
			want          []string
		}{
			{"malformed file", `{"client_id": "` + azSecretAppID + `"`, 1, []string{"is not the Azure CLI's list of service principals"}},
			{"object not list", `{"client_id": "` + azSecretAppID + `", "tenant": "t", "client_secret": "` + azSecretApp + `"}`, 1, []string{"nothing was imported"}},
			{"unusable entries", `[{"client_id": "` + azCertAppID + `", "tenant": "` + contosoTenantID + `", "certificate": "` + missing + `"},
 {"client_id": "` + azSecretAppID + `", "tenant": "` + contosoTenantID + `", "client_assertion": "eyJhbGciOiJSUzI1NiJ9.e30.` + azSecretApp + `"},
 {"tenant": "` + contosoTenantID + `", "client_secret": "` + azSecretApp + `"}]`, 1,
				[]string{"entry 1: app " + azCertAppID + " (tenant " + contosoTenantID + "): certificate " + missing, "no such file",
					"entry 2: app " + azSecretAppID, "client_assertion", "entry 3: no client_id or tenant"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				dir := filepath.Join(c.home, strings.ReplaceAll(tc.name, " ", "-"))
				writeSPEntries(t, dir, tc.entries)
				before := dirSnapshot(t, dir)
				res := c.run(t, nil, "import", "--azure-cli", dir).want(t, tc.code)
				for _, want := range tc.want {
					if !strings.Contains(res.stderr, want) {
						t.Errorf("want %q in:\n%s", want, res.stderr)
					}
				}
				if strings.Contains(res.stderr, azSecretApp) {
					t.Errorf("the report shows a secret")
				}
				if accounts := c.accountsJSON(t); len(accounts) != 0 {
					t.Errorf("something was stored: %v", accounts)
				}
				if diff := sameSnapshot(before, dirSnapshot(t, dir)); diff != "" {
					t.Errorf("import changed az's directory: %s", diff)
				}
			})
		}
		// a malformed entries file beside a good token cache imports
		// neither
		dir := filepath.Join(c.home, "with-cache")
		writeSPEntries(t, dir, `[{"client_id": 5}]`)
		writeFile(t, filepath.Join(dir, "msal_token_cache.json"), `{"AccessToken": {}}`)
		c.run(t, nil, "import", "--azure-cli", dir).want(t, 1)
	})
}
