package tests

// End-to-end tests of the acctui command line: the built binary against
// the built `acctui idp serve --tls`, each person in a HOME, XDG directories
// and vault of their own (cli_harness_test.go). The subtests run in order
// and share one emulator and its request log, which they empty before each
// measurement. Several use the vault an earlier one signed in to; run
// alone (tests/run_each.sh), they build it with the fixtures needAlice and
// needDave instead.

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"acctui/engine/idptest"
)

const (
	alicePassword = "demo-alice"
	bobUsername   = "bob@contoso.example"
	carolUsername = "carol@contoso.example"
	// cliDefaultScope is acctui token's default, as az's.
	cliDefaultScope = "https://management.core.windows.net//.default"
)

func TestCLI(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	s := newCLISuite(t, e)

	// alice is the main vault: signed in by password, then used by most
	// of the token, account, export and error tests.
	alice := s.newEnv(t, "alice")
	var aliceHome string   // alice's home account id
	var cachedToken string // alice's access token for the default scope, as cached
	// needAlice is the fixture of the subtests that use alice's vault:
	// when no earlier subtest signed her in (the subtest runs alone), it
	// does, so that every subtest passes on its own.
	needAlice := func(t *testing.T) {
		t.Helper()
		if cachedToken != "" && aliceHome != "" {
			return
		}
		alice.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		out := alice.token(t)
		cachedToken, aliceHome = out.AccessToken, out.Account.HomeAccountID
	}
	// needAliceSignedIn signs alice in unless her vault has her already.
	needAliceSignedIn := func(t *testing.T) {
		t.Helper()
		if !slices.Contains(usernames(alice.accountsJSON(t)), aliceUsername) {
			alice.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		}
	}
	// needDave adds dave (fabrikam) to alice's vault unless he is there.
	needDave := func(t *testing.T) {
		t.Helper()
		needAlice(t)
		if !slices.Contains(usernames(alice.accountsJSON(t)), daveUsername) {
			alice.loginPassword(t, daveUsername, davePassword, "--tenant", "fabrikam.example").want(t, 0)
		}
	}
	// rememberVault exports alice's vault to a file outside the searched
	// directories, so its refresh and ID tokens are among the secrets the
	// last subtest looks for.
	rememberVault := func(t *testing.T) {
		t.Helper()
		file := filepath.Join(t.TempDir(), "exported.json")
		alice.run(t, nil, "export", "--msal", file).want(t, 0)
		for section, list := range msalCacheSecrets(t, file) {
			for _, secret := range list {
				s.remember(secret, section+" of acctui export")
			}
		}
	}

	t.Run("version-help-usage", func(t *testing.T) {
		env := s.newEnv(t, "usage")
		res := env.run(t, nil, "version").want(t, 0)
		if !regexp.MustCompile(`^acctui \S+ \(go\S+, \w+/\w+\)\n$`).MatchString(res.stdout) {
			t.Errorf("version printed %q", res.stdout)
		}
		res = env.run(t, nil, "--help").want(t, 0)
		for _, cmd := range []string{"accounts", "token", "login", "logout", "import", "export", "vault", "decode", "version", "idp"} {
			if !strings.Contains(res.stdout, "\n  "+cmd+" ") {
				t.Errorf("--help does not list %s:\n%s", cmd, res.stdout)
			}
		}
		for _, args := range [][]string{
			{"--no-such-flag"},
			{"token", "--no-such-flag"},
			{"accounts", "extra-argument"},
			{"no-such-command"},
			{"logout"},
			{"token", "--keyctl-cache", "forever"},
			{"import"},
		} {
			res := env.run(t, nil, args...)
			if res.code != 2 || !strings.HasPrefix(res.errorLine(), "acctui: ") {
				t.Errorf("want exit 2 and an \"acctui: \" line, got %s", res)
			}
			if res.stdout != "" {
				t.Errorf("acctui %v printed on stdout: %q", args, res.stdout)
			}
		}
	})

	t.Run("login/password", func(t *testing.T) {
		e.resetRequests(t)
		res := alice.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		if res.stdout != "" {
			t.Errorf("login printed on stdout (data only goes there): %q", res.stdout)
		}
		if !strings.Contains(res.stderr, "Signed in as "+aliceUsername+" (tenant "+contosoTenantID+")") {
			t.Errorf("login said:\n%s", res.stderr)
		}
		recs := e.requests(t)
		if n := count(recs, "token", "password"); n != 1 {
			t.Errorf("password grants = %d, want 1: %+v", n, recs)
		}
		if n := count(recs, "token", ""); n != 1 {
			t.Errorf("token requests = %d, want 1", n)
		}
	})

	t.Run("token/from-cache", func(t *testing.T) {
		needAliceSignedIn(t)
		e.resetRequests(t)
		first := alice.plainToken(t)
		second := alice.plainToken(t)
		if first != second {
			t.Errorf("two cached lookups gave different tokens")
		}
		if len(strings.Split(first, ".")) != 3 {
			t.Fatalf("token is not a JWT")
		}
		if recs := e.requests(t); count(recs, "token", "") != 0 {
			t.Errorf("a token from the cache cost token requests: %+v", recs)
		}
		claims := jwtClaims(t, first)
		// ARM takes v1 tokens: upn, not preferred_username.
		if claims["upn"] != aliceUsername || claims["aud"] != "https://management.core.windows.net/" || claims["ver"] != "1.0" {
			t.Errorf("token claims upn=%v aud=%v ver=%v", claims["upn"], claims["aud"], claims["ver"])
		}
		cachedToken = first
	})

	t.Run("token/json", func(t *testing.T) {
		needAlice(t)
		e.resetRequests(t)
		now := time.Now().Unix()
		out := alice.token(t)
		if out.AccessToken != cachedToken {
			t.Errorf("token --json gave another token than token")
		}
		if out.TokenType != "Bearer" {
			t.Errorf("token_type = %q", out.TokenType)
		}
		if out.ExpiresOn < now+3000 || out.ExpiresOn > now+3601 {
			t.Errorf("expires_on = %d, want about an hour from %d", out.ExpiresOn, now)
		}
		if d := out.ExpiresOn - now - out.ExpiresIn; d < -2 || d > 2 {
			t.Errorf("expires_in = %d does not match expires_on %d (now %d)", out.ExpiresIn, out.ExpiresOn, now)
		}
		// Entra answers ARM's .default with user_impersonation beside it.
		if want := []string{cliDefaultScope, strings.TrimSuffix(cliDefaultScope, ".default") + "user_impersonation"}; !slices.Equal(out.Scopes, want) {
			t.Errorf("scopes = %v, want %v", out.Scopes, want)
		}
		if out.Source != "cache" {
			t.Errorf("source = %q, want cache", out.Source)
		}
		oid, _ := jwtClaims(t, out.AccessToken)["oid"].(string)
		if out.Account.Username != aliceUsername || out.Account.TenantID != contosoTenantID || out.Account.HomeAccountID != oid+"."+contosoTenantID {
			t.Errorf("account = %+v, want alice, home account %s.%s", out.Account, oid, contosoTenantID)
		}
		aliceHome = out.Account.HomeAccountID
		if n := count(e.requests(t), "token", ""); n != 0 {
			t.Errorf("token requests = %d, want 0", n)
		}
		// --account takes the home account id as well as the username.
		if byHome := alice.token(t, "--account", aliceHome); byHome.AccessToken != cachedToken {
			t.Errorf("--account %s gave another token", aliceHome)
		}
	})

	t.Run("accounts", func(t *testing.T) {
		needAlice(t)
		res := alice.run(t, nil, "accounts").want(t, 0)
		for _, want := range []string{aliceUsername, "Alice Example", "valid", contosoTenantID, aliceHome, "access_token", "refresh_token", cliDefaultScope} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("accounts does not show %q:\n%s", want, res.stdout)
			}
		}
		jsonRes := alice.run(t, nil, "accounts", "--json").want(t, 0)
		for _, out := range []cliResult{res, jsonRes} {
			if strings.Contains(out.stdout, cachedToken) || jwtLike.MatchString(out.stdout) || strings.Contains(out.stdout, "secret") {
				t.Errorf("acctui %v shows a token:\n%s", out.args, out.stdout)
			}
		}
		var accounts []struct {
			HomeAccountID string `json:"home_account_id"`
			Username      string `json:"username"`
			TenantID      string `json:"tenant_id"`
			Status        string `json:"status"`
			ExpiresOn     string `json:"expires_on"`
			Tokens        []struct {
				Kind   string   `json:"kind"`
				Status string   `json:"status"`
				Scopes []string `json:"scopes"`
			} `json:"tokens"`
		}
		if err := json.Unmarshal([]byte(jsonRes.stdout), &accounts); err != nil {
			t.Fatalf("accounts --json: %v\n%s", err, jsonRes.stdout)
		}
		if len(accounts) != 1 {
			t.Fatalf("accounts --json lists %d accounts, want 1", len(accounts))
		}
		a := accounts[0]
		if a.Username != aliceUsername || a.HomeAccountID != aliceHome || a.TenantID != contosoTenantID || a.Status != "valid" || a.ExpiresOn == "" {
			t.Errorf("account = %+v", a)
		}
		var kinds []string
		for _, tok := range a.Tokens {
			kinds = append(kinds, tok.Kind)
		}
		slices.Sort(kinds)
		if !slices.Equal(kinds, []string{"access_token", "id_token", "refresh_token"}) {
			t.Errorf("token kinds = %v", kinds)
		}

		empty := s.newEnv(t, "empty")
		if got := strings.TrimSpace(empty.run(t, nil, "accounts", "--json").want(t, 0).stdout); got != "[]" {
			t.Errorf("accounts --json of an empty vault = %q, want []", got)
		}
		if res := empty.run(t, nil, "accounts").want(t, 0); res.stdout != "" || !strings.Contains(res.stderr, "acctui login") {
			t.Errorf("accounts of an empty vault: %s", res)
		}
	})

	t.Run("token/after-expiry", func(t *testing.T) {
		needAlice(t)
		// A 301-second token is "expired" for the engine (under 5 minutes
		// left) two seconds after it came: the emulator's clock, and with it
		// acctui's, moves on two seconds.
		e.admin(t, http.MethodPost, "/_admin/lifetime", map[string]any{"username": aliceUsername, "access_token_seconds": 301}, nil)
		short := alice.token(t, "--force-refresh")
		e.admin(t, http.MethodPost, "/_admin/lifetime", map[string]any{"username": aliceUsername, "access_token_seconds": 3600}, nil)
		if short.Source != "identity_provider" || short.ExpiresIn > 301 {
			t.Fatalf("short token: source %s, expires_in %d", short.Source, short.ExpiresIn)
		}
		e.advanceClock(t, 2*time.Second)

		e.resetRequests(t)
		refreshed := alice.token(t)
		recs := e.requests(t)
		if n := count(recs, "token", "refresh_token"); n != 1 || count(recs, "token", "") != 1 {
			t.Errorf("token requests after expiry: %d refresh of %d, want exactly one refresh: %+v", n, count(recs, "token", ""), recs)
		}
		if refreshed.Source != "identity_provider" || refreshed.AccessToken == short.AccessToken || refreshed.ExpiresIn < 3000 {
			t.Errorf("after expiry: source %s, same token %v, expires_in %d", refreshed.Source, refreshed.AccessToken == short.AccessToken, refreshed.ExpiresIn)
		}

		e.resetRequests(t)
		again := alice.token(t)
		if again.Source != "cache" || again.AccessToken != refreshed.AccessToken {
			t.Errorf("the refreshed token is not served from the cache: source %s", again.Source)
		}
		if n := count(e.requests(t), "token", ""); n != 0 {
			t.Errorf("token requests = %d, want 0", n)
		}
		cachedToken = again.AccessToken
	})

	t.Run("token/force-refresh", func(t *testing.T) {
		needAlice(t)
		e.resetRequests(t)
		out := alice.token(t, "--force-refresh")
		recs := e.requests(t)
		if count(recs, "token", "refresh_token") != 1 || count(recs, "token", "") != 1 {
			t.Errorf("--force-refresh sent %+v, want exactly one refresh_token grant", recs)
		}
		if out.Source != "identity_provider" || out.AccessToken == cachedToken {
			t.Errorf("--force-refresh: source %s, same token %v", out.Source, out.AccessToken == cachedToken)
		}
		if got := alice.plainToken(t); got != out.AccessToken {
			t.Errorf("the forced token did not replace the cached one")
		}
		cachedToken = out.AccessToken
	})

	t.Run("token/claims-challenge", func(t *testing.T) {
		needAlice(t)
		var challenge struct {
			Claims string `json:"claims"`
		}
		e.admin(t, http.MethodPost, "/_admin/claims-challenge", map[string]any{"username": aliceUsername}, &challenge)
		if challenge.Claims == "" {
			t.Fatal("no claims challenge")
		}

		// The cached token does not involve the identity provider.
		if got := alice.plainToken(t); got != cachedToken {
			t.Errorf("a claims challenge at the provider changed the cached token")
		}

		e.resetRequests(t)
		res := alice.run(t, nil, "token", "--force-refresh").want(t, 4)
		line := res.errorLine()
		if !strings.Contains(line, "AADSTS") || !strings.Contains(line, "interaction_required") || !strings.Contains(line, "acctui login") {
			t.Errorf("claims refusal: %q; want the AADSTS text and a next step", line)
		}
		if res.stdout != "" {
			t.Errorf("a refused token run printed on stdout: %q", res.stdout)
		}
		t.Run("message-names-the-claims", func(t *testing.T) {
			// The claims the provider sent are what a caller needs for
			// the next try; without them no flag of acctui answers
			// the challenge.
			if !strings.Contains(line, challenge.Claims) && !strings.Contains(line, "--claims") {
				t.Errorf("the exit-4 line names neither the provider's claims challenge nor --claims: %q", line)
			}
		})

		e.resetRequests(t)
		out := alice.token(t, "--claims", challenge.Claims)
		if out.Source != "identity_provider" || out.AccessToken == cachedToken {
			t.Errorf("--claims: source %s, same token %v", out.Source, out.AccessToken == cachedToken)
		}
		if n := count(e.requests(t), "token", "refresh_token"); n != 1 {
			t.Errorf("--claims sent %d refresh grants, want 1", n)
		}
		// Answered, the challenge is gone.
		alice.token(t, "--force-refresh")
		cachedToken = alice.plainToken(t)
	})

	t.Run("login/device", func(t *testing.T) {
		env := s.newEnv(t, "device")
		e.resetRequests(t)
		p := env.start(t, "login", "--method", "device")
		m := p.waitFor(t, regexp.MustCompile(`\n\n  Code: (\S+)\n\n`), 10*time.Second)
		code := m[1]
		text := p.stderrText()
		if !strings.Contains(text, e.ann.URL+"/devicelogin") || !strings.Contains(text, "enter the code "+code) {
			t.Errorf("the device prompt lacks the verification URL or the emulator's message with the code:\n%s", text)
		}
		e.admin(t, http.MethodPost, "/_admin/device", map[string]any{"user_code": code, "username": carolUsername, "approve": true}, nil)
		res := env.wait(t, p, 15*time.Second).want(t, 0)
		if !strings.ContainsAny(res.stderr, "█▀▄") {
			t.Errorf("no QR code on stderr:\n%s", res.stderr)
		}
		if !strings.Contains(res.stderr, "Signed in as "+carolUsername) || res.stdout != "" {
			t.Errorf("device login: %s", res)
		}
		recs := e.requests(t)
		if count(recs, "devicecode", "") != 1 || count(recs, "token", "urn:ietf:params:oauth:grant-type:device_code") < 1 {
			t.Errorf("device flow requests: %+v", recs)
		}
		e.resetRequests(t)
		out := env.token(t)
		if out.Account.Username != carolUsername || out.Source != "cache" || out.ExpiresIn > 600 {
			t.Errorf("carol's token: %+v (want from the cache, her 10-minute lifetime)", out)
		}
		if n := count(e.requests(t), "token", ""); n != 0 {
			t.Errorf("token requests = %d, want 0", n)
		}

		// Revoked refresh tokens: a sign-in is needed, exit 4.
		e.admin(t, http.MethodPost, "/_admin/revoke", map[string]any{"username": carolUsername}, nil)
		res = env.run(t, nil, "token", "--force-refresh").want(t, 4)
		if line := res.errorLine(); !strings.Contains(line, "AADSTS50173") || !strings.Contains(line, "acctui login") {
			t.Errorf("revoked refresh token: %q", line)
		}
	})

	t.Run("login/browser", func(t *testing.T) {
		env := s.newEnv(t, "browser")
		port := freePort(t)
		e.resetRequests(t)
		p := env.start(t, "login", "--method", "browser", "--no-browser", "--port", port, "--username", aliceUsername)
		m := p.waitFor(t, regexp.MustCompile(`Sign in at this URL[^\n]*:\n\n(\S+)\n\n`), 10*time.Second)
		authURL := m[1]
		if !strings.HasPrefix(authURL, e.ann.Authority+"/oauth2/v2.0/authorize?") {
			t.Errorf("sign-in URL %s is not the authority's authorize endpoint", authURL)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		resp, err := idptest.NewBrowser(e.client).SignIn(ctx, authURL, aliceUsername, alicePassword)
		if err != nil {
			t.Fatalf("browser sign-in: %v\n%s", err, p.stderrText())
		}
		if want := "http://localhost:" + port; resp.RedirectURI != want {
			t.Errorf("redirect URI %s, want %s", resp.RedirectURI, want)
		}
		status, body, err := idptest.NewBrowser(e.client).Deliver(ctx, resp)
		if err != nil || status != http.StatusOK {
			t.Fatalf("delivering the redirect: HTTP %d, %v: %s", status, err, body)
		}
		res := env.wait(t, p, 10*time.Second).want(t, 0)
		if !strings.Contains(res.stderr, "Signed in as "+aliceUsername) || res.stdout != "" {
			t.Errorf("browser login: %s", res)
		}
		if !strings.ContainsAny(res.stderr, "█▀▄") {
			t.Errorf("no QR code on stderr:\n%s", res.stderr)
		}
		if n := count(e.requests(t), "token", "authorization_code"); n != 1 {
			t.Errorf("authorization_code redemptions = %d, want 1", n)
		}
		e.resetRequests(t)
		if out := env.token(t); out.Source != "cache" || out.Account.Username != aliceUsername {
			t.Errorf("token after browser login: source %s, account %+v", out.Source, out.Account)
		}
	})

	t.Run("token/several-accounts", func(t *testing.T) {
		needAlice(t)
		alice.loginPassword(t, daveUsername, davePassword, "--tenant", "fabrikam.example").want(t, 0)
		res := alice.run(t, nil, "token").want(t, 2)
		line := res.errorLine()
		for _, want := range []string{"--account", aliceUsername, daveUsername, aliceHome} {
			if !strings.Contains(line, want) {
				t.Errorf("the several-accounts error lacks %q: %q", want, line)
			}
		}
		if res.stdout != "" {
			t.Errorf("stdout: %q", res.stdout)
		}
		e.resetRequests(t)
		if out := alice.token(t, "--account", daveUsername, "--tenant", "fabrikam.example"); out.Account.Username != daveUsername || out.Source != "cache" {
			t.Errorf("dave's token: source %s, account %+v", out.Source, out.Account)
		}
		if got := alice.plainToken(t, "--account", aliceUsername); got != cachedToken {
			t.Errorf("alice's cached token changed")
		}
		if n := count(e.requests(t), "token", ""); n != 0 {
			t.Errorf("token requests = %d, want 0", n)
		}
		if got := usernames(alice.accountsJSON(t)); !slices.Equal(got, []string{aliceUsername, daveUsername}) {
			t.Errorf("accounts = %v", got)
		}
		res = alice.run(t, nil, "token", "--account", "nobody@contoso.example").want(t, 4)
		if !strings.Contains(res.errorLine(), "acctui login") {
			t.Errorf("unknown account: %q", res.errorLine())
		}
	})

	t.Run("logout", func(t *testing.T) {
		needDave(t)
		res := alice.run(t, nil, "logout", daveUsername).want(t, 2)
		if !strings.Contains(res.errorLine(), "--yes") {
			t.Errorf("logout without --yes and no terminal: %q", res.errorLine())
		}
		if got := usernames(alice.accountsJSON(t)); len(got) != 2 {
			t.Fatalf("a refused logout removed something: %v", got)
		}
		// the account as an argument or as --account (as token names it),
		// never two different ones, never none
		for _, args := range [][]string{{"logout", "--yes"}, {"logout", aliceUsername, "--account", daveUsername, "--yes"}} {
			if res := alice.run(t, nil, args...).want(t, 2); !strings.Contains(res.errorLine(), "logout") {
				t.Errorf("%v said: %s", args, res.errorLine())
			}
		}
		if got := usernames(alice.accountsJSON(t)); len(got) != 2 {
			t.Fatalf("a refused logout removed something: %v", got)
		}
		res = alice.run(t, nil, "logout", "--account", daveUsername, "--yes").want(t, 0)
		if !strings.Contains(res.stderr, "Removed "+daveUsername) {
			t.Errorf("logout said: %s", res)
		}
		if got := usernames(alice.accountsJSON(t)); !slices.Equal(got, []string{aliceUsername}) {
			t.Errorf("after logout: %v", got)
		}
		// With one account left, token needs no --account again.
		if got := alice.plainToken(t); got != cachedToken {
			t.Errorf("alice's token changed by dave's logout")
		}
	})

	t.Run("import-msal-python", func(t *testing.T) {
		requireMSALPython(t)
		cacheFile := filepath.Join(t.TempDir(), "msal_token_cache.json")
		ropc := e.runMSAL(t, cacheFile, "ropc", "--username", aliceUsername, "--password", alicePassword)
		if !ropc.OK {
			t.Fatalf("MSAL Python ROPC: %s %s", ropc.Error, ropc.ErrorDescription)
		}
		for section, secrets := range msalCacheSecrets(t, cacheFile) {
			for _, secret := range secrets {
				s.remember(secret, section+" of MSAL Python's cache")
			}
		}
		before, err := os.ReadFile(cacheFile)
		if err != nil {
			t.Fatal(err)
		}

		env := s.newEnv(t, "import")
		res := env.run(t, nil, "import", "--msal", cacheFile).want(t, 0)
		if !strings.Contains(res.stderr, "Imported "+cacheFile) {
			t.Errorf("import said: %s", res)
		}
		if after, _ := os.ReadFile(cacheFile); string(after) != string(before) {
			t.Errorf("import changed the MSAL cache file")
		}
		if got := usernames(env.accountsJSON(t)); !slices.Equal(got, []string{aliceUsername}) {
			t.Errorf("imported accounts = %v", got)
		}
		e.resetRequests(t)
		out := env.token(t, "--account", aliceUsername, "--scope", armScope)
		if out.Source != "cache" || sha256Hex(out.AccessToken) != ropc.AccessTokenSHA256 {
			t.Errorf("imported token: source %s, same as MSAL Python's %v", out.Source, sha256Hex(out.AccessToken) == ropc.AccessTokenSHA256)
		}
		if n := count(e.requests(t), "token", ""); n != 0 {
			t.Errorf("token requests = %d, want 0", n)
		}
		// Importing again drops and duplicates nothing.
		env.run(t, nil, "import", "--msal", cacheFile).want(t, 0)
		if got := env.accountsJSON(t); len(got) != 1 {
			t.Errorf("after a second import: %d accounts", len(got))
		}
		if res := env.run(t, nil, "import", "--msal", filepath.Join(t.TempDir(), "missing.json")); res.code == 0 {
			t.Errorf("import of a missing file succeeded: %s", res)
		}
	})

	t.Run("export-msal-python", func(t *testing.T) {
		needAlice(t)
		requireMSALPython(t)
		arm := alice.token(t, "--scope", armScope)
		file := filepath.Join(t.TempDir(), "exported.json")
		res := alice.run(t, nil, "export", "--msal", file).want(t, 0)
		if !strings.Contains(res.stderr, file) || res.stdout != "" {
			t.Errorf("export said: %s", res)
		}
		info, err := os.Stat(file)
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("export file mode %v, want 0600", info.Mode().Perm())
		}
		secrets := msalCacheSecrets(t, file)
		for section, list := range secrets {
			for _, secret := range list {
				s.remember(secret, section+" of acctui export")
			}
		}
		if len(secrets["RefreshToken"]) == 0 || len(secrets["IdToken"]) == 0 {
			t.Errorf("export holds %d refresh and %d id tokens", len(secrets["RefreshToken"]), len(secrets["IdToken"]))
		}
		if res := alice.run(t, nil, "export", "--msal", file); res.code == 0 {
			t.Errorf("export overwrote an existing file")
		}

		e.resetRequests(t)
		silent := e.runMSAL(t, file, "silent", "--username", aliceUsername)
		if !silent.OK || silent.AccessTokenSHA256 != sha256Hex(arm.AccessToken) {
			t.Errorf("MSAL Python silent on the export: ok=%v %s %s; same token %v", silent.OK, silent.Error, silent.ErrorDescription, silent.AccessTokenSHA256 == sha256Hex(arm.AccessToken))
		}
		if silent.HomeAccountID != aliceHome {
			t.Errorf("MSAL Python's account = %s, want %s", silent.HomeAccountID, aliceHome)
		}
		if n := count(e.requests(t), "token", ""); n != 0 {
			t.Errorf("MSAL Python sent %d token requests, want 0", n)
		}
	})

	// A file-size limit (prlimit, enforced by the kernel) fails the export's
	// writes part way, as a full disk does: the run says so, and leaves no
	// partial plaintext file behind.
	t.Run("export-write-fails", func(t *testing.T) {
		needAlice(t)
		prlimit, err := exec.LookPath("prlimit")
		if err != nil {
			t.Skip("no prlimit (util-linux)")
		}
		file := filepath.Join(t.TempDir(), "exported.json")
		res := alice.runVia(t, cliTimeout, nil, []string{prlimit, "--fsize=2048", "--"}, "export", "--msal", file).want(t, 1)
		if !strings.Contains(res.errorLine(), "file too large") {
			t.Errorf("a failed export said: %s", res)
		}
		if _, err := os.Lstat(file); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a failed export left %s behind (%v)", file, err)
		}
		full := filepath.Join(t.TempDir(), "exported.json")
		alice.run(t, nil, "export", "--msal", full).want(t, 0)
		if info, err := os.Stat(full); err != nil || info.Size() <= 2048 {
			t.Errorf("the same export without the limit: %v, %v; it must be larger than the limit for this test to mean anything", info, err)
		}
	})

	t.Run("errors/wrong-password", func(t *testing.T) {
		env := s.newEnv(t, "wrong-password")
		res := env.loginPassword(t, aliceUsername, "not-her-password").want(t, 1)
		if line := res.errorLine(); !strings.Contains(line, "AADSTS50126") || !strings.Contains(line, "check the username and password") {
			t.Errorf("wrong password: %q", line)
		}
		if got := env.accountsJSON(t); len(got) != 0 {
			t.Errorf("a refused sign-in left accounts: %v", usernames(got))
		}
	})

	t.Run("errors/mfa-by-password", func(t *testing.T) {
		env := s.newEnv(t, "mfa")
		res := env.loginPassword(t, bobUsername, "demo-bob").want(t, 4)
		line := res.errorLine()
		if !strings.Contains(line, "AADSTS50076") || !strings.Contains(line, "--method browser") || !strings.Contains(line, "--method device") {
			t.Errorf("MFA by password: %q; want AADSTS50076 and the browser and device methods", line)
		}
	})

	t.Run("errors/password-without-terminal", func(t *testing.T) {
		env := s.newEnv(t, "no-password")
		res := env.run(t, nil, "login", "--method", "password", "--username", aliceUsername).want(t, 2)
		if !strings.Contains(res.errorLine(), "--password-stdin") {
			t.Errorf("password without a terminal: %q", res.errorLine())
		}
	})

	t.Run("errors/identity-provider-down", func(t *testing.T) {
		needAlice(t)
		down := alice.with("ACCTUI_AUTHORITY", "https://"+closedPort(t)+"/"+contosoTenantID)
		// A cached token needs no network.
		if got := down.plainToken(t); got != cachedToken {
			t.Errorf("with the provider down, the cached token changed")
		}
		res := down.run(t, nil, "token", "--force-refresh").want(t, 1)
		line := res.errorLine()
		if !strings.Contains(line, "connection refused") || !strings.Contains(line, "check the network") {
			t.Errorf("provider down: %q; want the network error and a next step", line)
		}
		if strings.Count(res.stderr, "\n") != 1 || res.stdout != "" {
			t.Errorf("provider down: want one line on stderr, nothing on stdout: %s", res)
		}
		res = s.newEnv(t, "down-login").with("ACCTUI_AUTHORITY", down.vars["ACCTUI_AUTHORITY"]).loginPassword(t, aliceUsername, alicePassword).want(t, 1)
		if !strings.Contains(res.errorLine(), "connection refused") {
			t.Errorf("login with the provider down: %q", res.errorLine())
		}
	})

	t.Run("errors/passphrase-without-terminal", func(t *testing.T) {
		needAlice(t)
		locked := alice.with("ACCTUI_VAULT_PASSPHRASE", "")
		for _, args := range [][]string{{"accounts"}, {"token"}, {"vault", "status"}} {
			res := locked.runTimeout(t, 10*time.Second, nil, args...)
			if res.code == 0 {
				t.Errorf("acctui %v succeeded without the passphrase", args)
			}
			if line := res.errorLine(); !strings.Contains(line, "ACCTUI_VAULT_PASSPHRASE") || !strings.Contains(line, "not a terminal") {
				t.Errorf("acctui %v without the passphrase: %q", args, line)
			}
			if res.elapsed > 5*time.Second || res.stdout != "" {
				t.Errorf("acctui %v took %s, stdout %q", args, res.elapsed, res.stdout)
			}
		}
		res := alice.with("ACCTUI_VAULT_PASSPHRASE", "not the passphrase").run(t, nil, "accounts").want(t, 1)
		if !strings.Contains(res.errorLine(), "wrong passphrase") {
			t.Errorf("wrong passphrase: %q", res.errorLine())
		}
	})

	t.Run("decode", func(t *testing.T) {
		needAlice(t)
		res := alice.run(t, nil, "decode", cachedToken).want(t, 0)
		if !strings.Contains(res.stderr, "NOT validated") {
			t.Errorf("decode does not say the signature was not validated: %q", res.stderr)
		}
		for _, want := range []string{"Header", "Claims", "RS256", "unique_name", aliceUsername, "exp"} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("decode output lacks %q:\n%s", want, res.stdout)
			}
		}
		piped := "Bearer " + cachedToken + "\n"
		fromStdin := alice.run(t, &piped, "decode").want(t, 0)
		// the two runs may straddle a second: "in 59m59s", "in 59m58s"
		relative := regexp.MustCompile(`in \d[\dhms]*\)|\d[\dhms]* ago\)`)
		if a, b := relative.ReplaceAllString(fromStdin.stdout, "…)"), relative.ReplaceAllString(res.stdout, "…)"); a != b || !strings.Contains(a, "…)") {
			t.Errorf("decode from stdin differs from decode of the argument:\n%s\n---\n%s", a, b)
		}
		asJSON := alice.run(t, nil, "decode", "--json", cachedToken).want(t, 0)
		var decoded struct {
			Header             map[string]any `json:"header"`
			Claims             map[string]any `json:"claims"`
			SignatureValidated *bool          `json:"signature_validated"`
		}
		if err := json.Unmarshal([]byte(asJSON.stdout), &decoded); err != nil {
			t.Fatalf("decode --json: %v", err)
		}
		if decoded.SignatureValidated == nil || *decoded.SignatureValidated || decoded.Claims["upn"] != aliceUsername {
			t.Errorf("decode --json: %s", asJSON.stdout)
		}
		if strings.Contains(res.stdout, cachedToken) {
			t.Errorf("decode printed the token back")
		}
		alice.run(t, nil, "decode", "not-a-token").want(t, 2)
	})

	// vault is a person whose vault lives in the default place,
	// $XDG_DATA_HOME/acctui.
	vault := s.newEnv(t, "vault").with("ACCTUI_VAULT_DIR", "")
	vaultFile := filepath.Join(vault.vars["XDG_DATA_HOME"], "acctui", "vault.db")
	// needVaultFile signs alice in to that vault when no earlier subtest did.
	needVaultFile := func(t *testing.T) {
		t.Helper()
		if _, err := os.Stat(vaultFile); err != nil {
			vault.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		}
	}

	t.Run("vault/status", func(t *testing.T) {
		res := vault.run(t, nil, "vault", "status").want(t, 0)
		if !strings.Contains(res.stdout, "backend      file\n") || !strings.Contains(res.stdout, "no vault yet") {
			t.Errorf("status of no vault:\n%s", res.stdout)
		}
		vault.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		res = vault.run(t, nil, "vault", "status").want(t, 0)
		for _, want := range []string{"backend      file\n", "file         " + vaultFile + "\n", "accounts     1\n", "key          vault-key-"} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("vault status lacks %q:\n%s", want, res.stdout)
			}
		}
		var st map[string]any
		if err := json.Unmarshal([]byte(vault.run(t, nil, "vault", "status", "--json").want(t, 0).stdout), &st); err != nil {
			t.Fatal(err)
		}
		if st["backend"] != "file" || st["accounts"] != float64(1) {
			t.Errorf("vault status --json = %v", st)
		}
	})

	t.Run("vault/passphrase", func(t *testing.T) {
		needVaultFile(t)
		short := "short\n"
		vault.run(t, &short, "vault", "passphrase", "--new-from-stdin").want(t, 2)
		vault.run(t, nil, "vault", "passphrase").want(t, 2)
		newPass := "a new and longer passphrase"
		stdin := newPass + "\n"
		res := vault.run(t, &stdin, "vault", "passphrase", "--new-from-stdin").want(t, 0)
		if !strings.Contains(res.stderr, "Passphrase changed") {
			t.Errorf("passphrase: %s", res)
		}
		res = vault.run(t, nil, "accounts").want(t, 1)
		if !strings.Contains(res.errorLine(), "wrong passphrase") {
			t.Errorf("old passphrase: %q", res.errorLine())
		}
		vault.vars["ACCTUI_VAULT_PASSPHRASE"] = newPass
		if got := usernames(vault.accountsJSON(t)); !slices.Equal(got, []string{aliceUsername}) {
			t.Errorf("with the new passphrase: accounts %v", got)
		}
		if out := vault.token(t); out.Source != "cache" {
			t.Errorf("token with the new passphrase: source %s", out.Source)
		}
	})

	t.Run("vault/reset", func(t *testing.T) {
		needVaultFile(t)
		before, err := os.ReadFile(vaultFile)
		if err != nil {
			t.Fatal(err)
		}
		res := vault.run(t, nil, "vault", "reset").want(t, 2)
		if !strings.Contains(res.errorLine(), "--yes") {
			t.Errorf("reset without --yes: %q", res.errorLine())
		}
		res = vault.run(t, nil, "vault", "reset", "--yes").want(t, 0)
		m := regexp.MustCompile(`The old vault is kept at (\S+);`).FindStringSubmatch(res.stderr)
		if m == nil {
			t.Fatalf("reset does not say where the old vault went: %s", res)
		}
		kept, err := os.ReadFile(m[1])
		if err != nil || string(kept) != string(before) {
			t.Errorf("the old vault at %s: %v, same bytes %v", m[1], err, string(kept) == string(before))
		}
		if filepath.Dir(m[1]) != filepath.Dir(vaultFile) {
			t.Errorf("the old vault moved out of the vault directory: %s", m[1])
		}
		if got := vault.accountsJSON(t); len(got) != 0 {
			t.Errorf("after reset: accounts %v", usernames(got))
		}
		res = vault.run(t, nil, "token").want(t, 4)
		if !strings.Contains(res.errorLine(), "acctui login") {
			t.Errorf("token after reset: %q", res.errorLine())
		}
		// The new vault works.
		vault.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		if st := vault.run(t, nil, "vault", "status").want(t, 0); !strings.Contains(st.stdout, "accounts     1\n") {
			t.Errorf("status after a new sign-in:\n%s", st.stdout)
		}
	})

	t.Run("vault/keyctl-cache", func(t *testing.T) {
		// Deliberately on, with a short lifetime; the key is removed
		// afterwards.
		env := s.newEnv(t, "keyctl").with("ACCTUI_KEYCTL_CACHE", "2m")
		env.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		var st struct {
			KeyID string `json:"key_id"`
		}
		if err := json.Unmarshal([]byte(env.run(t, nil, "vault", "status", "--json").want(t, 0).stdout), &st); err != nil || st.KeyID == "" {
			t.Fatalf("vault status --json: %v, key id %q", err, st.KeyID)
		}
		name := "acctui:vault-key-" + st.KeyID
		t.Cleanup(func() { forgetKernelKey(name) })
		res := env.with("ACCTUI_VAULT_PASSPHRASE", "").run(t, nil, "vault", "status")
		if res.code != 0 {
			if err := findKernelKey(name); err != nil {
				t.Skipf("the kernel keyring is not usable here (%v)", err)
			}
			t.Fatalf("with the key in the kernel keyring, no passphrase needed; got %s", res)
		}
		if !strings.Contains(res.stdout, "unlocked from the kernel keyring cache") {
			t.Errorf("vault status does not say where the key came from:\n%s", res.stdout)
		}
		if out := env.with("ACCTUI_VAULT_PASSPHRASE", "").token(t); out.Source != "cache" {
			t.Errorf("token through the kernel keyring: source %s", out.Source)
		}
	})

	t.Run("tenant-by-domain", func(t *testing.T) {
		fabrikam := e.ann.Tenants["fabrikam"].ID
		env := s.newEnv(t, "tenant-domain")
		env.loginPassword(t, daveUsername, davePassword, "--tenant", "fabrikam.example").want(t, 0)
		if out := env.token(t, "--tenant", "fabrikam.example"); out.Source != "cache" || out.Account.TenantID != fabrikam {
			t.Errorf("dave's token by tenant domain: source %s, tenant %s", out.Source, out.Account.TenantID)
		}
		file := filepath.Join(t.TempDir(), "dave.json")
		env.run(t, nil, "export", "--msal", file).want(t, 0)
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]map[string]map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		for section, list := range msalCacheSecrets(t, file) {
			for _, secret := range list {
				s.remember(secret, section+" of acctui export")
			}
		}
		var realms []string
		for _, section := range []string{"Account", "AccessToken", "IdToken"} {
			for _, entry := range doc[section] {
				realms = append(realms, section+":"+str(entry, "realm"))
			}
		}
		slices.Sort(realms)
		e.resetRequests(t)
		byID := env.token(t, "--tenant", fabrikam)
		refreshed := count(e.requests(t), "token", "")
		t.Run("cached-under-the-tenant-id", func(t *testing.T) {
			// MSAL Python (and so the Azure CLI, which asks by tenant
			// id) records the tenant id from the token endpoint.
			if slices.ContainsFunc(realms, func(r string) bool { return strings.HasSuffix(r, ":fabrikam.example") }) || byID.Source != "cache" {
				t.Errorf("login --tenant fabrikam.example caches under realm %v, not the tenant id %s; token --tenant %s then refreshes (source %s, %d token requests)",
					realms, fabrikam, fabrikam, byID.Source, refreshed)
			}
		})
	})

	t.Run("no-tokens-on-disk", func(t *testing.T) {
		needDave(t)
		if kinds := secretKinds(s.knownSecrets()); kinds["RefreshToken"] == 0 || kinds["IdToken"] == 0 {
			rememberVault(t)
		}
		secrets := s.knownSecrets()
		kinds := secretKinds(secrets)
		if len(secrets) < 10 || kinds["RefreshToken"] == 0 || kinds["IdToken"] == 0 {
			t.Logf("secrets known: %v", kinds)
		}
		if len(secrets) < 5 {
			t.Fatalf("only %d secrets known; the search would prove nothing", len(secrets))
		}
		// A part of a token would give it away too: its last 40
		// characters (a JWT's start is the header all tokens share).
		needles := map[string]string{}
		for secret, where := range secrets {
			needles[secret] = where
			if len(secret) >= 64 {
				needles[secret[len(secret)-40:]] = "end of the " + where
			}
		}
		files := filesUnder(t, s.dirs)
		debugLogs := 0
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(f) == "acctui-debug.log" && len(data) > 0 {
				debugLogs++
			}
			for needle, where := range needles {
				if strings.Contains(string(data), needle) {
					t.Errorf("%s holds the %s", f, where)
				}
			}
			if jwtLike.Match(data) {
				t.Errorf("%s holds something shaped like a JWT", f)
			}
		}
		if debugLogs == 0 {
			t.Errorf("no debug log was written; the search covered none")
		}
		t.Logf("searched %d files in %d environments for %d secrets", len(files), len(s.dirs), len(secrets))
	})
}

// secretKinds counts secrets by the kind their description starts with
// (RefreshToken, IdToken, access …).
func secretKinds(secrets map[string]string) map[string]int {
	kinds := map[string]int{}
	for _, where := range secrets {
		kinds[strings.Fields(where)[0]]++
	}
	return kinds
}
