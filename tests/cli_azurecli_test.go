package tests

// The Azure CLI and acctui sharing az's directory: Debian's azure-cli,
// offline, with a custom cloud whose AD endpoint is the emulator and its
// MSAL HTTP cache primed with the emulator's discovery answers
// (bench/az_prime.py), so az talks to nothing else.
//
//   - export --azure-cli writes acctui's account into ~/.azure; az account
//     get-access-token then serves acctui's token from that cache without a
//     request, and prints what acctui token -o az prints.
//   - az login (password, --allow-no-subscriptions, a fake ARM with no
//     subscriptions) writes a directory; import --azure-cli reads it.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// azCloud is the name of the emulator's cloud in az's config.
const azCloud = "AcctuiEmulator"

// requireAz returns az's path; it skips, or fails on CI, without it.
func requireAz(t *testing.T) string {
	t.Helper()
	az, err := exec.LookPath("az")
	if err == nil {
		return az
	}
	reason := "the Azure CLI is not installed (apt-get install -y azure-cli)"
	if os.Getenv("CI") != "" {
		t.Fatal(reason)
	}
	t.Skip(reason)
	return ""
}

// azEnv is an Azure CLI configuration directory set to the emulator's
// cloud, with resourceManager as ARM.
func newAzDir(t *testing.T, e *emulator, dir, resourceManager string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "config"), "[cloud]\nname = "+azCloud+"\n\n[core]\ncollect_telemetry = false\nonly_show_errors = true\nno_color = true\nsurvey_message = false\nfirst_run = false\noutput = json\n")
	writeFile(t, filepath.Join(dir, "clouds.config"), "["+azCloud+"]\n"+
		"endpoint_active_directory = "+e.ann.URL+"\n"+
		"endpoint_active_directory_resource_id = https://management.core.windows.net/\n"+
		"endpoint_active_directory_graph_resource_id = https://graph.windows.net/\n"+
		"endpoint_management = https://management.core.windows.net/\n"+
		"endpoint_resource_manager = "+resourceManager+"\n"+
		"endpoint_microsoft_graph_resource_id = https://graph.microsoft.com/\n"+
		"profile = latest\n")
	prime := exec.Command("/usr/bin/python3", filepath.Join("bench", "az_prime.py"), "--emulator", e.ann.URL,
		"--ca-file", e.ann.CAFile, "--tenant", contosoTenantID, "--cache-file", filepath.Join(dir, "msal_http_cache.bin"))
	prime.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "AZURE_CONFIG_DIR=" + dir}
	if out, err := prime.CombinedOutput(); err != nil {
		t.Fatalf("az_prime.py: %v\n%s", err, out)
	}
}

// runAz runs az with the environment's HOME and extra variables.
func runAz(t *testing.T, env *cliEnv, az string, extra []string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(az, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + env.home, "LANG=C.UTF-8"}, extra...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

func TestAzureCLI(t *testing.T) {
	t.Parallel()
	az := requireAz(t)
	e := startEmulator(t)
	s := newCLISuite(t, e)

	t.Run("export-then-az", func(t *testing.T) {
		alice := s.newEnv(t, "alice")
		alice.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		// two accounts: the active one becomes az's default
		alice.loginPassword(t, carolUsername, "demo-carol").want(t, 0)
		alice.run(t, nil, "use", aliceUsername).want(t, 0)
		want := alice.plainToken(t)
		azDir := filepath.Join(alice.home, ".azure") // az's default, and acctui's
		newAzDir(t, e, azDir, "https://management.azure.com/")
		// az already knows zoe, with a subscription, as its default
		zoe := `{"id": "0b1f6471-1bf0-4dda-aec3-111122223333", "name": "Zoe's <subscription>", "state": "Enabled", "user": {"name": "zoe@fabrikam.example", "type": "user"}, "isDefault": true, "tenantId": "` + idpFabrikam + `", "environmentName": "` + azCloud + `", "homeTenantId": "` + idpFabrikam + `", "managedByTenants": [], "futureField": {"kept": 1}}`
		profile := "\ufeff" + `{"installationId": "5c1f2a4e-0000-4000-8000-000000000001", "subscriptions": [` + zoe + `]}`
		writeFile(t, filepath.Join(azDir, "azureProfile.json"), profile)

		res := alice.run(t, nil, "export", "--azure-cli").want(t, 0)
		if !strings.Contains(res.stderr, "plaintext") {
			t.Errorf("export did not say az's cache is plaintext:\n%s", res.stderr)
		}
		raw, err := os.ReadFile(filepath.Join(azDir, "azureProfile.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(raw, []byte("\ufeff")) {
			t.Errorf("the profile lost az's BOM")
		}
		var got struct {
			InstallationID string           `json:"installationId"`
			Subscriptions  []map[string]any `json:"subscriptions"`
		}
		if err := json.Unmarshal(bytes.TrimPrefix(raw, []byte("\ufeff")), &got); err != nil {
			t.Fatal(err)
		}
		var zoeWant map[string]any
		_ = json.Unmarshal([]byte(zoe), &zoeWant)
		zoeWant["isDefault"] = false
		if got.InstallationID == "" || len(got.Subscriptions) != 3 || !jsonEqual(got.Subscriptions[0], zoeWant) {
			t.Fatalf("az's own entry changed beyond isDefault, or the profile lost members:\n%s", raw)
		}
		var a map[string]any
		for _, sub := range got.Subscriptions[1:] {
			user := sub["user"].(map[string]any)["name"]
			if user == carolUsername && sub["isDefault"] != false {
				t.Errorf("carol, not the active account, is az's default")
			}
			if user == aliceUsername {
				a = sub
			}
		}
		if a == nil {
			t.Fatalf("no entry for alice:\n%s", raw)
		}
		if a["id"] != contosoTenantID || a["name"] != "N/A(tenant level account)" || a["tenantId"] != contosoTenantID ||
			a["environmentName"] != azCloud || a["isDefault"] != true || a["user"].(map[string]any)["name"] != aliceUsername {
			t.Errorf("alice's entry: %v", a)
		}
		// a second export adds nothing
		alice.run(t, nil, "export", "--azure-cli", azDir).want(t, 0)
		raw2, _ := os.ReadFile(filepath.Join(azDir, "azureProfile.json"))
		if !bytes.Equal(raw, raw2) {
			t.Errorf("a second export changed the profile:\n%s\n%s", raw, raw2)
		}

		e.resetRequests(t)
		out, errOut, err := runAz(t, alice, az, nil, "account", "get-access-token")
		if err != nil {
			t.Fatalf("az account get-access-token: %v\n%s", err, errOut)
		}
		var azOut map[string]any
		if err := json.Unmarshal([]byte(out), &azOut); err != nil {
			t.Fatalf("az printed %q", out)
		}
		if azOut["accessToken"] != want {
			t.Fatalf("az gave another token than acctui")
		}
		if recs := e.requests(t); len(recs) != 0 {
			t.Errorf("az sent requests; the token was to come from the cache: %+v", recs)
		}
		ours := alice.run(t, nil, "token", "-o", "az").want(t, 0)
		var acctuiOut map[string]any
		if err := json.Unmarshal([]byte(ours.stdout), &acctuiOut); err != nil {
			t.Fatal(err)
		}
		// az 2.45 leaves expires_on out; later releases print it, as acctui
		// does. az computes expiresOn as now + expires_in, which can land a
		// second off the token's own expiry that acctui prints.
		delete(acctuiOut, "expires_on")
		azOn, err1 := time.ParseInLocation("2006-01-02 15:04:05.000000", azOut["expiresOn"].(string), time.Local)
		ourOn, err2 := time.ParseInLocation("2006-01-02 15:04:05.000000", acctuiOut["expiresOn"].(string), time.Local)
		if d := azOn.Sub(ourOn); err1 != nil || err2 != nil || d < -2*time.Second || d > 2*time.Second {
			t.Errorf("expiresOn: az %v, acctui %v", azOut["expiresOn"], acctuiOut["expiresOn"])
		}
		delete(acctuiOut, "expiresOn")
		delete(azOut, "expiresOn")
		if !jsonEqual(azOut, acctuiOut) {
			t.Errorf("az account get-access-token:\n%s\nacctui token -o az:\n%s", out, ours.stdout)
		}
		// with --tenant az names the tenant and no subscription; so does acctui
		out, errOut, err = runAz(t, alice, az, nil, "account", "get-access-token", "--tenant", contosoTenantID)
		if err != nil {
			t.Fatalf("az account get-access-token --tenant: %v\n%s", err, errOut)
		}
		azKeys, ourKeys := jsonKeys(t, out), jsonKeys(t, alice.run(t, nil, "token", "-o", "az", "--tenant", contosoTenantID).want(t, 0).stdout)
		ourKeys = strings.Replace(ourKeys, "expires_on,", "", 1)
		if azKeys != ourKeys || strings.Contains(azKeys, "subscription") || !strings.HasPrefix(azKeys, "accessToken,expiresOn,tenant") {
			t.Errorf("with --tenant: az's keys %s, acctui's %s", azKeys, ourKeys)
		}
		out, errOut, err = runAz(t, alice, az, nil, "account", "show")
		if err != nil || !strings.Contains(out, aliceUsername) {
			t.Errorf("az account show: %v\n%s%s", err, out, errOut)
		}
	})

	t.Run("export-bad-directory", func(t *testing.T) {
		alice := s.newEnv(t, "bad")
		alice.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		res := alice.run(t, nil, "export", "--azure-cli", filepath.Join(alice.home, "nowhere")).want(t, 1)
		if !strings.Contains(res.errorLine(), "no Azure CLI directory") {
			t.Errorf("missing dir: %s", res.errorLine())
		}
		dir := filepath.Join(alice.home, "azure")
		newAzDir(t, e, dir, "https://management.azure.com/")
		for _, profile := range []string{`{"subscriptions": {}}`, `[1, 2]`, `{"subscriptions": [{"id": 5}]}`, `{"subscr`} {
			writeFile(t, filepath.Join(dir, "azureProfile.json"), profile)
			res := alice.run(t, nil, "export", "--azure-cli", dir).want(t, 1)
			if !strings.Contains(res.errorLine(), "nothing was changed") {
				t.Errorf("profile %s: %s", profile, res.errorLine())
			}
			if got, _ := os.ReadFile(filepath.Join(dir, "azureProfile.json")); string(got) != profile {
				t.Errorf("a malformed profile was rewritten: %s", got)
			}
			if _, err := os.Stat(filepath.Join(dir, "msal_token_cache.json")); err == nil {
				t.Errorf("a token cache was written beside a malformed profile")
			}
			alice.run(t, nil, "import", "--azure-cli", dir).want(t, 1)
		}
		alice.run(t, nil, "export", "--azure-cli", "--msal", "x").want(t, 2)
		alice.run(t, nil, "export", "--msal", "x", "dir").want(t, 2)
	})

	t.Run("az-login-then-import", func(t *testing.T) {
		// ARM without subscriptions: az login --allow-no-subscriptions then
		// records the tenant, as for a user with no Azure subscription.
		arm := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"value": []}`))
		}))
		defer arm.Close()
		env := s.newEnv(t, "azuser")
		azDir := filepath.Join(env.home, "azcfg")
		newAzDir(t, e, azDir, arm.URL+"/")
		ca, err := os.ReadFile(e.ann.CAFile)
		if err != nil {
			t.Fatal(err)
		}
		bundle := filepath.Join(env.home, "ca-bundle.pem")
		writeFile(t, bundle, string(ca)+"\n"+string(pemCert(arm)))
		azVars := []string{"AZURE_CONFIG_DIR=" + azDir, "REQUESTS_CA_BUNDLE=" + bundle}
		// Device code: MSAL Python's password flow asks the authority's
		// host for the user realm without its port, which the emulator
		// cannot answer; the device flow uses the endpoints as published.
		login := exec.Command(az, "login", "--use-device-code", "--tenant", contosoTenantID, "--allow-no-subscriptions")
		login.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + env.home, "LANG=C.UTF-8"}, azVars...)
		stderrPipe, err := login.StderrPipe()
		if err != nil {
			t.Fatal(err)
		}
		var loginOut bytes.Buffer
		login.Stdout = &loginOut
		if err := login.Start(); err != nil {
			t.Fatal(err)
		}
		codes := make(chan string, 1)
		scanned := make(chan struct{}) // stderr is at its end: az exited
		var loginErr bytes.Buffer
		go func() {
			defer close(scanned)
			sc := bufio.NewScanner(stderrPipe)
			for sc.Scan() {
				loginErr.WriteString(sc.Text() + "\n")
				if m := regexp.MustCompile(`enter the code (\S+)`).FindStringSubmatch(sc.Text()); m != nil {
					codes <- m[1]
				}
			}
		}()
		t.Cleanup(func() { _ = login.Process.Kill(); <-scanned; _ = login.Wait() })
		select {
		case code := <-codes:
			e.admin(t, http.MethodPost, "/_admin/device", map[string]any{"user_code": code, "username": aliceUsername, "approve": true}, nil)
		case <-scanned:
			t.Fatalf("az login printed no device code:\n%s", loginErr.String())
		case <-time.After(60 * time.Second):
			t.Fatalf("az login printed no device code in time")
		}
		select {
		case <-scanned:
		case <-time.After(60 * time.Second):
			t.Fatalf("az login did not finish")
		}
		if err := login.Wait(); err != nil {
			t.Fatalf("az login: %v\n%s", err, loginErr.String())
		}
		if !strings.Contains(loginOut.String(), "N/A(tenant level account)") {
			t.Errorf("az login recorded no tenant-level account:\n%s", loginOut.String())
		}
		azToken, errOut, err := runAz(t, env, az, azVars, "account", "get-access-token", "--query", "accessToken", "-o", "tsv")
		if err != nil {
			t.Fatalf("az account get-access-token: %v\n%s", err, errOut)
		}
		azToken = strings.TrimSpace(azToken)
		s.remember(azToken, "az's access token")

		res := env.with("AZURE_CONFIG_DIR", azDir).run(t, nil, "import", "--azure-cli").want(t, 0)
		if !strings.Contains(res.stderr, "now 1") {
			t.Errorf("import said:\n%s", res.stderr)
		}
		if got := usernames(env.accountsJSON(t)); strings.Join(got, ",") != aliceUsername {
			t.Errorf("accounts after import: %v", got)
		}
		if active := env.run(t, nil, "use").want(t, 0).stdout; !strings.HasPrefix(active, aliceUsername+"\t") {
			t.Errorf("az's default did not become the active account: %q", active)
		}
		e.resetRequests(t)
		if tok := env.plainToken(t); tok != azToken {
			t.Errorf("acctui did not serve az's cached token")
		}
		if recs := e.requests(t); len(recs) != 0 {
			t.Errorf("acctui sent requests for a token az had cached: %+v", recs)
		}
		env.run(t, nil, "import", "--azure-cli", filepath.Join(env.home, "nowhere")).want(t, 1)
	})
}

// idpFabrikam is the emulator's second tenant.
const idpFabrikam = "3f9a8b7c-6d5e-4f4a-8b3c-2d1e0f9a8b7c"

func jsonEqual(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// pemCert is the test server's certificate in PEM.
func pemCert(s *httptest.Server) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw})
}

// jsonKeys lists a JSON object's keys in order, comma-separated.
func jsonKeys(t *testing.T, doc string) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(doc))
	var keys []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				depth++
			} else {
				depth--
			}
		case string:
			if depth == 1 && dec.More() {
				keys = append(keys, v)
				if _, err := dec.Token(); err != nil { // its value
					t.Fatalf("not JSON: %q", doc)
				}
			}
		}
	}
	return strings.Join(keys, ",")
}
