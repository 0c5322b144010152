package tests

// TestNoSecretLeaks runs every command and sign-in flow of the built binary
// with the debug log on, then asks the emulator for every secret it handed
// out (GET /_admin/issued) and looks for each, and for the passwords and
// vault passphrases used, in everything acctui wrote: stdout (except the
// token a successful `acctui token` was asked to print), stderr, the debug
// logs and every file under each person's HOME, XDG directories, vault
// directory and TMPDIR. Only the file `acctui export --msal` was told to
// write may hold tokens.
//
// The terminal UI's screens are covered by their own sentinel test,
// TestNoViewShowsATokenUnlessRevealed in tui/sentinel_test.go.

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"acctui/engine/idptest"
)

const (
	// leakWrongPassword is a refused password: distinctive, so a hit is
	// unambiguous.
	leakWrongPassword = "wrong-Sentinel-Pw-9f3a"
	// leakOldPassphrase and leakNewPassphrase protect the vaults of this
	// test (before and after acctui vault passphrase).
	leakOldPassphrase = "Old-Vault-Sentinel-Passphrase-4be1"
	leakNewPassphrase = "New-Vault-Sentinel-Passphrase-c07d"
	// leakClientSecret and leakGitHubToken are secrets of other tools in
	// the environment acctui runs in; a browser it starts must see
	// neither.
	leakClientSecret = "Azure-Client-Secret-Sentinel-77d2"
	leakGitHubToken  = "ghp_GitHubTokenSentinel0123456789abcd"
	// leakWrongClientSecret is a mistyped service principal secret.
	leakWrongClientSecret = "Wrong-Client-Secret-Sentinel-9a3f"
	// leakAzAssertion is a federated token in the Azure CLI's entries,
	// which import names as not importable.
	leakAzAssertion = "eyJhbGciOiJSUzI1NiJ9.eyJhenVyZSI6MX0.Az-Assertion-Sentinel-5e20"
)

// fakeBrowser writes a program for $BROWSER that records its environment
// and the URL it was given under dir, as the browser a user leaves
// running for days would hold them in /proc/PID/environ.
func fakeBrowser(t *testing.T, dir string) (program, environFile string) {
	t.Helper()
	program = filepath.Join(dir, "fake-browser")
	environFile = filepath.Join(dir, "browser-environ.txt")
	script := "#!/bin/sh\nenv > " + shellQuote(environFile+".tmp") + " && mv " + shellQuote(environFile+".tmp") + " " + shellQuote(environFile) + "\n"
	if err := os.WriteFile(program, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return program, environFile
}

// waitForFile waits for a file another process writes.
func waitForFile(t *testing.T, path string) []byte {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		data, err := os.ReadFile(path)
		if err == nil {
			return data
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s was not written within 10 s: %v", path, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// leakOutput is what one run printed on one stream.
type leakOutput struct {
	where string
	text  string
}

// sentinelKind names an issued secret by its shape, for failure messages
// that must not print it.
func sentinelKind(secret string) string {
	if parts := strings.Split(secret, "."); len(parts) == 3 {
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		var claims map[string]any
		if err == nil && json.Unmarshal(payload, &claims) == nil {
			if _, ok := claims["scp"]; ok {
				return "access token"
			}
			return "id token"
		}
		return "JWT"
	}
	// The emulator's opaque secrets are base64url of 32 (authorization
	// code), 48 (refresh token) or 64 (device code) random bytes.
	switch len(secret) {
	case 43:
		return "authorization code"
	case 64:
		return "refresh token"
	case 86:
		return "device code"
	}
	return fmt.Sprintf("opaque secret of %d characters", len(secret))
}

func TestNoSecretLeaks(t *testing.T) {
	t.Parallel()
	started := time.Now()
	e := startEmulator(t)
	s := newCLISuite(t, e)

	// Every environment shares one TMPDIR under the suite's root, so the
	// search covers whatever acctui (or Go) puts there.
	tmpDir := filepath.Join(s.root, "tmp")
	if err := os.MkdirAll(tmpDir, 0o700); err != nil {
		t.Fatal(err)
	}
	newLeakEnv := func(name string) *cliEnv {
		return s.newEnv(t, name).with("ACCTUI_VAULT_PASSPHRASE", leakOldPassphrase, "TMPDIR", tmpDir)
	}
	var outputs []leakOutput
	// record keeps a run's streams for the search. The stdout of a
	// successful token run is the token the user asked for; it alone is
	// left out.
	record := func(label string, res cliResult) cliResult {
		outputs = append(outputs, leakOutput{label + ": stderr", res.stderr})
		if res.args[0] == "token" && res.code == 0 {
			return res
		}
		outputs = append(outputs, leakOutput{label + ": stdout", res.stdout})
		return res
	}

	// alice: password sign-in, then every token, account, decode, vault
	// and transfer command.
	alice := newLeakEnv("alice")
	record("login --method password (alice)", alice.loginPassword(t, aliceUsername, alicePassword).want(t, 0))
	record("token", alice.run(t, nil, "token").want(t, 0))
	record("token --json", alice.run(t, nil, "token", "--json").want(t, 0))
	record("token --force-refresh", alice.run(t, nil, "token", "--force-refresh").want(t, 0))

	var challenge struct {
		Claims string `json:"claims"`
	}
	e.admin(t, http.MethodPost, "/_admin/claims-challenge", map[string]any{"username": aliceUsername}, &challenge)
	if challenge.Claims == "" {
		t.Fatal("no claims challenge")
	}
	record("token --force-refresh, refused (claims challenge)", alice.run(t, nil, "token", "--force-refresh").want(t, 4))
	record("token --claims", alice.run(t, nil, "token", "--claims", challenge.Claims).want(t, 0))
	accessToken := strings.TrimSpace(record("token --force-refresh --scope graph", alice.run(t, nil, "token", "--force-refresh", "--scope", "https://graph.microsoft.com/.default").want(t, 0)).stdout)
	if len(strings.Split(accessToken, ".")) != 3 {
		t.Fatalf("token printed no JWT")
	}

	record("accounts", alice.run(t, nil, "accounts").want(t, 0))
	record("accounts --json", alice.run(t, nil, "accounts", "--json").want(t, 0))

	// decode: a token as the argument (acctui logs its arguments), with
	// the --debug flag as well as the variable, and on stdin.
	flagLog := filepath.Join(alice.home, "debug-flag.log")
	record("decode ACCESS_TOKEN (argument)", alice.run(t, nil, "decode", accessToken).want(t, 0))
	record("--debug FILE decode --json ACCESS_TOKEN (argument)", alice.run(t, nil, "--debug", flagLog, "decode", "--json", accessToken).want(t, 0))
	piped := "Bearer " + accessToken + "\n"
	record("decode (stdin)", alice.run(t, &piped, "decode").want(t, 0))
	var issuedSoFar []string
	e.admin(t, http.MethodGet, "/_admin/issued", nil, &issuedSoFar)
	for _, secret := range issuedSoFar {
		if sentinelKind(secret) == "id token" {
			record("decode ID_TOKEN (argument)", alice.run(t, nil, "decode", secret).want(t, 0))
			break
		}
	}

	record("vault status", alice.run(t, nil, "vault", "status").want(t, 0))
	record("vault status --json", alice.run(t, nil, "vault", "status", "--json").want(t, 0))

	// The export file holds tokens by design: it alone is not searched.
	exportFile := filepath.Join(alice.home, "exported-msal-cache.json")
	record("export --msal", alice.run(t, nil, "export", "--msal", exportFile).want(t, 0))
	importer := newLeakEnv("import")
	record("import --msal", importer.run(t, nil, "import", "--msal", exportFile).want(t, 0))
	record("accounts --json (imported)", importer.run(t, nil, "accounts", "--json").want(t, 0))
	record("token (imported)", importer.run(t, nil, "token").want(t, 0))

	// carol: device code, approved through the control API.
	carol := newLeakEnv("carol")
	p := carol.start(t, "login", "--method", "device")
	m := p.waitFor(t, regexp.MustCompile(`\n\n  Code: (\S+)\n\n`), 10*time.Second)
	e.admin(t, http.MethodPost, "/_admin/device", map[string]any{"user_code": m[1], "username": carolUsername, "approve": true}, nil)
	record("login --method device (carol)", carol.wait(t, p, 15*time.Second).want(t, 0))
	record("token (carol)", carol.run(t, nil, "token", "--force-refresh").want(t, 0))

	// dave: browser sign-in in another tenant, by its domain.
	dave := newLeakEnv("dave")
	port := freePort(t)
	p = dave.start(t, "login", "--method", "browser", "--no-browser", "--port", port, "--username", daveUsername, "--tenant", "fabrikam.example")
	m = p.waitFor(t, regexp.MustCompile(`Sign in at this URL[^\n]*:\n\n(\S+)\n\n`), 10*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := idptest.NewBrowser(e.client).SignIn(ctx, m[1], daveUsername, davePassword)
	if err != nil {
		t.Fatalf("browser sign-in: %v\n%s", err, p.stderrText())
	}
	status, page, err := idptest.NewBrowser(e.client).Deliver(ctx, resp)
	if err != nil || status != http.StatusOK {
		t.Fatalf("delivering the redirect: HTTP %d, %v", status, err)
	}
	outputs = append(outputs, leakOutput{"the loopback page shown in dave's browser", page})
	record("login --method browser --tenant fabrikam.example (dave)", dave.wait(t, p, 10*time.Second).want(t, 0))
	record("token --tenant fabrikam.example (dave)", dave.run(t, nil, "token", "--tenant", "fabrikam.example").want(t, 0))

	// erin: a browser sign-in that starts a (fake) browser, with secrets
	// of other tools in the environment. The browser records its
	// environment under HOME, which the search below covers as well.
	erin := newLeakEnv("erin")
	browser, browserEnviron := fakeBrowser(t, erin.home)
	erin = erin.with("BROWSER", browser, "AZURE_CLIENT_SECRET", leakClientSecret, "GITHUB_TOKEN", leakGitHubToken)
	p = erin.start(t, "login", "--method", "browser", "--port", freePort(t), "--username", aliceUsername)
	m = p.waitFor(t, regexp.MustCompile(`Sign in at this URL[^\n]*:\n\n(\S+)\n\n`), 10*time.Second)
	p.waitFor(t, regexp.MustCompile(`A browser window was opened`), 10*time.Second)
	resp, err = idptest.NewBrowser(e.client).SignIn(ctx, m[1], aliceUsername, alicePassword)
	if err != nil {
		t.Fatalf("browser sign-in: %v\n%s", err, p.stderrText())
	}
	if status, _, err := idptest.NewBrowser(e.client).Deliver(ctx, resp); err != nil || status != http.StatusOK {
		t.Fatalf("delivering the redirect: HTTP %d, %v", status, err)
	}
	record("login --method browser with $BROWSER (erin)", erin.wait(t, p, 10*time.Second).want(t, 0))
	environ := string(waitForFile(t, browserEnviron))
	for _, line := range strings.Split(environ, "\n") {
		name, _, _ := strings.Cut(line, "=")
		if strings.HasPrefix(name, "ACCTUI_") || name == "AZURE_CLIENT_SECRET" || name == "GITHUB_TOKEN" {
			t.Errorf("LEAK: the browser acctui started inherited %s", name)
		}
	}
	if !strings.Contains(environ, "\nPATH=") && !strings.HasPrefix(environ, "PATH=") || !strings.Contains(environ, "HOME="+erin.home) {
		t.Errorf("the browser's environment lost what it needs (PATH, HOME):\n%s", environ)
	}

	// frank: the default directory's confidential app as a service
	// principal, its secret on stdin, and the same with a wrong secret.
	frank := newLeakEnv("service-principal")
	spLogin := []string{"login", "--service-principal", "--client-id", idptest.ConfidentialClientID, "--tenant", contosoTenantID, "--secret-stdin"}
	spSecret := idptest.ConfidentialSecret + "\n"
	record("login --service-principal --secret-stdin", frank.run(t, &spSecret, spLogin...).want(t, 0))
	record("token (service principal)", frank.run(t, nil, "token").want(t, 0))
	record("token --json --force-refresh (service principal)", frank.run(t, nil, "token", "--json", "--force-refresh", "--account", idptest.ConfidentialClientID).want(t, 0))
	record("accounts (service principal)", frank.run(t, nil, "accounts").want(t, 0))
	record("accounts --json (service principal)", frank.run(t, nil, "accounts", "--json").want(t, 0))
	record("logout --yes (service principal)", frank.run(t, nil, "logout", idptest.ConfidentialClientID, "--yes").want(t, 0))
	// grace: the same app imported from the Azure CLI's plaintext
	// entries (beside one it cannot import), made active, and served as
	// a token, an exec credential and a git credential. az's directory is
	// its own plaintext file, outside what the search covers.
	grace := newLeakEnv("az-import")
	azDir := t.TempDir()
	writeFile(t, filepath.Join(azDir, "service_principal_entries.json"), `[{"client_id": "`+idptest.ConfidentialClientID+`", "tenant": "`+contosoTenantID+`", "client_secret": "`+idptest.ConfidentialSecret+`"}, {"client_id": "0f0e0d0c-0b0a-4909-8807-060504030201", "tenant": "`+contosoTenantID+`", "client_assertion": "`+leakAzAssertion+`"}]`)
	record("import --azure-cli (service principals)", grace.run(t, nil, "import", "--azure-cli", azDir).want(t, 0))
	record("use (imported service principal)", grace.run(t, nil, "use", idptest.ConfidentialClientID).want(t, 0))
	record("use (print the active app)", grace.run(t, nil, "use").want(t, 0))
	record("token (active service principal)", grace.run(t, nil, "token", "--force-refresh").want(t, 0))
	record("token -o exec-credential (active service principal)", grace.run(t, nil, "token", "-o", "exec-credential").want(t, 0))
	gitRequest := "protocol=https\nhost=dev.azure.com\n\n"
	gitRes := grace.run(t, &gitRequest, "git-credential", "get").want(t, 0)
	outputs = append(outputs, leakOutput{"git-credential get (active service principal): stderr", gitRes.stderr})
	record("accounts (imported service principal)", grace.run(t, nil, "accounts").want(t, 0))
	record("logout --yes (imported service principal)", grace.run(t, nil, "logout", idptest.ConfidentialClientID, "--yes").want(t, 0))
	wrongSP := leakWrongClientSecret + "\n"
	record("login --service-principal with a wrong secret", newLeakEnv("wrong-secret").run(t, &wrongSP, spLogin...).want(t, 1))

	// Refusals: a wrong password, and MFA that a password cannot do.
	wrong := newLeakEnv("wrong-password")
	record("login with a wrong password", wrong.loginPassword(t, aliceUsername, leakWrongPassword).want(t, 1))
	bob := newLeakEnv("bob")
	record("login --method password (bob, MFA)", bob.loginPassword(t, bobUsername, "demo-bob").want(t, 4))

	// A new vault passphrase; the old one is refused afterwards.
	newPass := leakNewPassphrase + "\n"
	record("vault passphrase --new-from-stdin", alice.run(t, &newPass, "vault", "passphrase", "--new-from-stdin").want(t, 0))
	record("accounts with the old passphrase", alice.run(t, nil, "accounts").want(t, 1))
	alice = alice.with("ACCTUI_VAULT_PASSPHRASE", leakNewPassphrase)
	record("accounts with the new passphrase", alice.run(t, nil, "accounts").want(t, 0))

	// The identity provider down, for a refresh and for a password.
	downAuthority := "https://" + closedPort(t) + "/" + contosoTenantID
	record("token --force-refresh (provider down)", alice.with("ACCTUI_AUTHORITY", downAuthority).run(t, nil, "token", "--force-refresh").want(t, 1))
	down := newLeakEnv("down").with("ACCTUI_AUTHORITY", downAuthority)
	record("login --method password (provider down)", down.loginPassword(t, aliceUsername, alicePassword).want(t, 1))

	record("logout --yes", alice.run(t, nil, "logout", aliceUsername, "--yes").want(t, 0))
	record("vault reset --yes", alice.run(t, nil, "vault", "reset", "--yes").want(t, 0))
	record("vault status (after reset)", alice.run(t, nil, "vault", "status").want(t, 0))

	// The sentinels: every secret the emulator issued, the passwords and
	// the passphrases.
	var issued []string
	e.admin(t, http.MethodGet, "/_admin/issued", nil, &issued)
	sentinels := map[string]string{} // secret -> kind
	kinds := map[string]int{}
	for _, secret := range issued {
		if secret == "" {
			continue
		}
		kind := sentinelKind(secret)
		sentinels[secret] = kind
		kinds[kind]++
	}
	for _, want := range []string{"access token", "id token", "refresh token", "authorization code", "device code"} {
		if kinds[want] == 0 {
			t.Errorf("the emulator issued no %s; the search would miss that kind (issued: %v)", want, kinds)
		}
	}
	for secret, kind := range map[string]string{
		alicePassword:              "password of alice",
		"demo-bob":                 "password of bob",
		"demo-carol":               "password of carol",
		davePassword:               "password of dave",
		leakWrongPassword:          "wrong password",
		leakOldPassphrase:          "old vault passphrase",
		leakNewPassphrase:          "new vault passphrase",
		leakClientSecret:           "AZURE_CLIENT_SECRET of the environment",
		idptest.ConfidentialSecret: "client secret of the service principal",
		leakWrongClientSecret:      "wrong client secret",
		leakAzAssertion:            "federated token in the Azure CLI's entries",
		leakGitHubToken:            "GITHUB_TOKEN of the environment",
	} {
		sentinels[secret] = kind
	}
	// Each whole, and the end of the long ones: a token cut short still
	// gives itself away by its signature or random tail.
	type needle struct{ text, kind, prefix string }
	var needles []needle
	for secret, kind := range sentinels {
		needles = append(needles, needle{secret, kind, secret[:6]})
		if len(secret) >= 48 {
			needles = append(needles, needle{secret[len(secret)-32:], "last 32 characters of the " + kind, secret[:6]})
		}
	}
	hits := 0
	search := func(where, text string) {
		for _, n := range needles {
			if strings.Contains(text, n.text) {
				hits++
				t.Errorf("LEAK: %s holds the %s (%s…)", where, n.kind, n.prefix)
			}
		}
	}

	for _, out := range outputs {
		search(out.where, out.text)
	}
	files := filesUnder(t, []string{s.root})
	searched := 0
	for _, f := range files {
		if f == exportFile {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(s.root, f)
		search(rel, string(data))
		if jwtLike.Match(data) {
			t.Errorf("LEAK: %s holds something shaped like a JWT", rel)
		}
		searched++
	}
	if !slices.Contains(files, exportFile) {
		t.Errorf("the export file %s is not where the search would have skipped it", exportFile)
	}

	// The debug logs must have something to search: each person's log is
	// written, and the ones that went to the network record their HTTP
	// requests (the token endpoint among them).
	for _, env := range []*cliEnv{alice, importer, carol, dave, wrong, bob, down} {
		data, err := os.ReadFile(env.vars["ACCTUI_DEBUG"])
		if err != nil || len(data) == 0 {
			t.Errorf("%s: no debug log (%v)", env.name, err)
			continue
		}
		if !strings.Contains(string(data), `msg="acctui start"`) {
			t.Errorf("%s: the debug log does not record the commands", env.name)
		}
		if env == importer || env == down {
			continue
		}
		if !regexp.MustCompile(`msg="engine: http" method=POST url=\S+/oauth2/v2\.0/token status=\d+`).Match(data) {
			t.Errorf("%s: the debug log records no request to the token endpoint:\n%s", env.name, data)
		}
	}
	flagData, err := os.ReadFile(flagLog)
	// the log names the command and counts its arguments, never shows them
	if err != nil || !strings.Contains(string(flagData), `command="acctui decode"`) || !strings.Contains(string(flagData), "arguments=1") {
		t.Errorf("the --debug log of decode does not record the command and its argument count (%v):\n%s", err, flagData)
	}

	t.Logf("searched %d outputs and %d files for %d sentinels (%d needles; issued: %v): %d hits, in %s",
		len(outputs), searched, len(sentinels), len(needles), kinds, hits, time.Since(started).Round(time.Millisecond))

	t.Run("decode-argument-that-is-no-jwt", func(t *testing.T) {
		// A token pasted on the command line is logged with the
		// arguments; the redaction must not depend on the token being
		// a JWT. A refresh token (opaque, no dots) pasted into decode by
		// mistake is refused, and must not reach the debug log either.
		// It runs after the search above, in a directory of its own.
		var refreshToken string
		for secret, kind := range sentinels {
			if kind == "refresh token" {
				refreshToken = secret
				break
			}
		}
		if refreshToken == "" {
			t.Fatal("no refresh token issued")
		}
		env := newLeakEnv("decode-opaque")
		// "--": a base64url token may start with '-' (checked below)
		res := env.run(t, nil, "decode", "--", refreshToken).want(t, 2)
		log, err := os.ReadFile(env.vars["ACCTUI_DEBUG"])
		if err != nil || !strings.Contains(string(log), "decode") {
			t.Fatalf("no debug log of the decode run (%v)", err)
		}
		for where, text := range map[string]string{"stdout": res.stdout, "stderr": res.stderr, "the debug log": string(log)} {
			if strings.Contains(text, refreshToken) || strings.Contains(text, refreshToken[len(refreshToken)-32:]) {
				t.Errorf("LEAK: acctui decode REFRESH_TOKEN: %s holds the refresh token (%s…) given as the argument", where, refreshToken[:6])
			}
		}
		// Without "--", an argument that starts with '-' is read as
		// shorthand flags, and pflag's error quotes the whole argument.
		// A token that itself starts with '-' makes "--…": an unknown long
		// flag, which pflag names whole. Both forms, whatever this run's
		// token starts with.
		for _, dashed := range []string{"-" + refreshToken, "--" + refreshToken} {
			res = newLeakEnv("decode-dashed").run(t, nil, "decode", dashed).want(t, 2)
			if !strings.Contains(res.stderr, "put -- before it") {
				t.Errorf("decode %.2sTOKEN: want advice to put -- before it, got %q", dashed, res.stderr)
			}
			if strings.Contains(res.stdout+res.stderr, refreshToken[len(refreshToken)-32:]) {
				t.Errorf("LEAK: acctui decode %.2sREFRESH_TOKEN echoed the argument: %s", dashed, res.stderr)
			}
		}
	})
}
