package tests

// Interop tests: Microsoft's MSAL Python (Debian's python3-msal, 1.21)
// completes its flows against the built `acctui idp serve --tls`, and the
// emulator refuses the authorization-code redemptions Entra refuses. The
// MSAL side lives in msalpy/scenarios.py; it prints JSON summaries (claims,
// booleans, token digests), never tokens.

import (
	"acctui/engine/idptest"
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	systemPython    = "/usr/bin/python3" // another python may come first on PATH
	contosoTenantID = "7c6e2a3b-4f1d-4e8a-9b2c-0d1e2f3a4b5c"
	azureCLIClient  = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
	armScope        = "https://management.azure.com/.default"
	// loopbackRedirect is the public client's redirect URI; nothing needs
	// to listen there, the browser stops at the redirect.
	loopbackRedirect = "http://localhost:8400"
)

// msalResult is what scenarios.py prints.
type msalResult struct {
	OK                bool              `json:"ok"`
	Error             string            `json:"error"`
	ErrorCodes        []int             `json:"error_codes"`
	Suberror          string            `json:"suberror"`
	Claims            string            `json:"claims"`
	ErrorDescription  string            `json:"error_description"`
	TokenType         string            `json:"token_type"`
	ExpiresIn         int               `json:"expires_in"`
	Scope             string            `json:"scope"`
	HasRefreshToken   bool              `json:"has_refresh_token"`
	HasIDToken        bool              `json:"has_id_token"`
	AccessTokenSHA256 string            `json:"access_token_sha256"`
	IDTokenClaims     map[string]string `json:"id_token_claims"`
	MSALAccounts      []struct {
		HomeAccountID string `json:"home_account_id"`
		Environment   string `json:"environment"`
		Username      string `json:"username"`
	} `json:"msal_accounts"`
	HomeAccountID string `json:"home_account_id"`
	Cache         struct {
		Accounts []struct {
			HomeAccountID  string `json:"home_account_id"`
			Environment    string `json:"environment"`
			Realm          string `json:"realm"`
			Username       string `json:"username"`
			LocalAccountID string `json:"local_account_id"`
		} `json:"accounts"`
		AccessTokens         int      `json:"access_tokens"`
		RefreshTokens        int      `json:"refresh_tokens"`
		IDTokens             int      `json:"id_tokens"`
		RefreshTokenFamilies []string `json:"refresh_token_families"`
	} `json:"cache"`
	// authcode
	Pages               []string `json:"pages"`
	RedirectTarget      string   `json:"redirect_target"`
	RedirectParams      []string `json:"redirect_params"`
	StateEchoed         bool     `json:"state_echoed"`
	PKCESent            bool     `json:"pkce_sent"`
	NonceSentIsHash     bool     `json:"nonce_sent_is_hash"`
	IDTokenNonceMatches bool     `json:"id_token_nonce_matches"`
	// client credentials
	AppTokenClaims map[string]string `json:"app_token_claims"`
	// device (first line)
	UserCode        string `json:"user_code"`
	VerificationURI string `json:"verification_uri"`
	Interval        int    `json:"interval"`
}

func scriptPath(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("msalpy", "scenarios.py"))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// pythonCommand prepares scenarios.py for one scenario against e.
func (e *emulator) pythonCommand(ctx context.Context, t *testing.T, cache string, scenario ...string) (*exec.Cmd, *bytes.Buffer) {
	args := []string{scriptPath(t), "--idp", e.line}
	if cache != "" {
		args = append(args, "--cache", cache)
	}
	cmd := exec.CommandContext(ctx, systemPython, append(args, scenario...)...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1")
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	return cmd, &stderr
}

// runMSAL runs one scenario and decodes its single JSON line.
func (e *emulator) runMSAL(t *testing.T, cache string, scenario ...string) msalResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd, stderr := e.pythonCommand(ctx, t, cache, scenario...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scenarios.py %s: %v\nstderr:\n%s", strings.Join(scenario, " "), err, stderr)
	}
	var res msalResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("scenarios.py %s printed no JSON: %v: %q\nstderr:\n%s", scenario[0], err, out, stderr)
	}
	return res
}

// msalSignedIn signs a user in by ROPC through MSAL Python into a cache
// file of the test's own, and returns that file and the digest of the
// access token it holds.
func (e *emulator) msalSignedIn(t *testing.T, username, password string) (cacheFile, accessTokenSHA256 string) {
	t.Helper()
	cacheFile = filepath.Join(t.TempDir(), "cache.json")
	res := e.runMSAL(t, cacheFile, "ropc", "--username", username, "--password", password)
	if !res.OK || res.AccessTokenSHA256 == "" {
		t.Fatalf("ROPC sign-in of %s failed: %s %v: %s", username, res.Error, res.ErrorCodes, res.ErrorDescription)
	}
	return cacheFile, res.AccessTokenSHA256
}

func TestMSALPython(t *testing.T) {
	t.Parallel()
	requireMSALPython(t)
	e := startEmulator(t)
	tmp := t.TempDir()

	t.Run("ROPC/alice", func(t *testing.T) {
		before := e.requests(t)
		res := e.runMSAL(t, filepath.Join(t.TempDir(), "alice-cache.json"), "ropc", "--username", "alice@contoso.example", "--password", "demo-alice")
		if !res.OK {
			t.Fatalf("ROPC failed: %s %v: %s", res.Error, res.ErrorCodes, res.ErrorDescription)
		}
		if !res.HasRefreshToken || !res.HasIDToken || res.AccessTokenSHA256 == "" || res.TokenType != "Bearer" {
			t.Errorf("want Bearer access, refresh and id tokens; got %+v", res)
		}
		oid, tid := res.IDTokenClaims["oid"], res.IDTokenClaims["tid"]
		if oid == "" || tid != contosoTenantID {
			t.Fatalf("id_token oid=%q tid=%q; want an oid and tid %s", oid, tid, contosoTenantID)
		}
		if got := res.IDTokenClaims["preferred_username"]; got != "alice@contoso.example" {
			t.Errorf("preferred_username = %q", got)
		}
		if got := res.IDTokenClaims["aud"]; got != azureCLIClient {
			t.Errorf("id_token aud = %q, want the client id", got)
		}
		if want := e.ann.Authority + "/v2.0"; res.IDTokenClaims["iss"] != want {
			t.Errorf("id_token iss = %q, want %q", res.IDTokenClaims["iss"], want)
		}
		wantHome := oid + "." + tid
		if len(res.Cache.Accounts) != 1 {
			t.Fatalf("cache accounts = %+v, want one", res.Cache.Accounts)
		}
		acct := res.Cache.Accounts[0]
		if acct.HomeAccountID != wantHome || acct.LocalAccountID != oid || acct.Realm != contosoTenantID ||
			acct.Username != "alice@contoso.example" || acct.Environment != "127.0.0.1" {
			t.Errorf("cache account = %+v, want home_account_id %s, realm %s, environment 127.0.0.1", acct, wantHome, contosoTenantID)
		}
		if len(res.MSALAccounts) != 1 || res.MSALAccounts[0].HomeAccountID != wantHome {
			t.Errorf("get_accounts() = %+v, want one with home_account_id %s", res.MSALAccounts, wantHome)
		}
		if res.Cache.AccessTokens != 1 || res.Cache.RefreshTokens != 1 || res.Cache.IDTokens != 1 {
			t.Errorf("cache holds %d access, %d refresh, %d id tokens; want one of each", res.Cache.AccessTokens, res.Cache.RefreshTokens, res.Cache.IDTokens)
		}
		if !slices.Equal(res.Cache.RefreshTokenFamilies, []string{"1"}) {
			t.Errorf("refresh token families = %v, want the Azure CLI's family 1 (foci)", res.Cache.RefreshTokenFamilies)
		}
		after := e.requests(t)
		if n := count(after, "token", "password") - count(before, "token", "password"); n != 1 {
			t.Errorf("password grants sent = %d, want 1", n)
		}
		// MSAL asks the user realm before ROPC; reaching it proves the
		// port fix-up in scenarios.py is what MSAL used.
		realm := slices.IndexFunc(after[len(before):], func(r requestRecord) bool {
			return r.Endpoint == "userrealm" && r.Path == "/common/userrealm/alice@contoso.example" && r.Status == http.StatusOK
		})
		if realm < 0 {
			t.Errorf("no successful user realm request for alice in %+v", after[len(before):])
		}
	})

	t.Run("SilentForceRefresh", func(t *testing.T) {
		aliceCache, ropcAccessToken := e.msalSignedIn(t, "alice@contoso.example", "demo-alice")
		before := e.requests(t)
		res := e.runMSAL(t, aliceCache, "silent", "--username", "alice@contoso.example", "--force-refresh")
		if !res.OK {
			t.Fatalf("silent refresh failed: %s %v: %s", res.Error, res.ErrorCodes, res.ErrorDescription)
		}
		after := e.requests(t)
		if n := count(after, "token", "refresh_token") - count(before, "token", "refresh_token"); n != 1 {
			t.Errorf("refresh_token grants sent = %d, want exactly 1", n)
		}
		if n := count(after, "token", "") - count(before, "token", ""); n != 1 {
			t.Errorf("token requests sent = %d, want exactly 1", n)
		}
		if res.AccessTokenSHA256 == "" || res.AccessTokenSHA256 == ropcAccessToken {
			t.Errorf("force_refresh gave the same (or no) access token")
		}
		if res.IDTokenClaims["preferred_username"] != "alice@contoso.example" {
			t.Errorf("refreshed id_token claims = %v", res.IDTokenClaims)
		}
		if res.Cache.AccessTokens != 1 || res.Cache.RefreshTokens != 1 || len(res.Cache.Accounts) != 1 {
			t.Errorf("cache after refresh: %+v, want still one account, access and refresh token", res.Cache)
		}

		// Without force_refresh the refreshed token comes from the cache.
		before = after
		cached := e.runMSAL(t, aliceCache, "silent", "--username", "alice@contoso.example")
		if !cached.OK || cached.AccessTokenSHA256 != res.AccessTokenSHA256 {
			t.Errorf("silent without force_refresh: ok=%v, same token=%v; want the refreshed token from the cache", cached.OK, cached.AccessTokenSHA256 == res.AccessTokenSHA256)
		}
		if n := count(e.requests(t), "token", "") - count(before, "token", ""); n != 0 {
			t.Errorf("a cached token cost %d token requests", n)
		}
	})

	t.Run("ROPC/bob-needs-MFA", func(t *testing.T) {
		res := e.runMSAL(t, filepath.Join(tmp, "bob-cache.json"), "ropc", "--username", "bob@contoso.example", "--password", "demo-bob")
		if res.OK || res.AccessTokenSHA256 != "" {
			t.Fatalf("bob got tokens by password alone: %+v", res)
		}
		if res.Error != "interaction_required" {
			t.Errorf("error = %q, want interaction_required (%s)", res.Error, res.ErrorDescription)
		}
		if !slices.Contains(res.ErrorCodes, 50076) || !strings.HasPrefix(res.ErrorDescription, "AADSTS50076:") {
			t.Errorf("error_codes = %v, description %q; want 50076", res.ErrorCodes, res.ErrorDescription)
		}
		// Entra's usual answer: suberror basic_action and no claims
		// challenge, so only an interactive sign-in can help.
		if res.Suberror != "basic_action" || res.Claims != "" {
			t.Errorf("suberror %q claims %q; want basic_action and no claims", res.Suberror, res.Claims)
		}
		if len(res.Cache.Accounts) != 0 || res.Cache.RefreshTokens != 0 {
			t.Errorf("a refused sign-in left %+v in the cache", res.Cache)
		}
	})

	t.Run("DeviceFlow", func(t *testing.T) {
		before := e.requests(t)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd, stderr := e.pythonCommand(ctx, t, filepath.Join(tmp, "device-cache.json"), "device")
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { _ = cmd.Wait() }()
		defer stdin.Close()
		lines := bufio.NewReader(stdout)
		readResult := func(what string) msalResult {
			line, err := lines.ReadString('\n')
			var res msalResult
			if err == nil {
				err = json.Unmarshal([]byte(line), &res)
			}
			if err != nil {
				_ = stdin.Close()
				_ = cmd.Wait()
				t.Fatalf("device scenario, %s: %v: %q\nstderr:\n%s", what, err, line, stderr)
			}
			return res
		}
		flow := readResult("flow")
		if flow.UserCode == "" {
			t.Fatalf("initiate_device_flow gave no user code: %+v", flow)
		}
		if flow.VerificationURI != e.ann.URL+"/devicelogin" || flow.Interval <= 0 {
			t.Errorf("flow verification_uri=%q interval=%d", flow.VerificationURI, flow.Interval)
		}
		// Approve before MSAL's first poll, so it succeeds without
		// waiting out the polling interval.
		e.admin(t, http.MethodPost, "/_admin/device", map[string]any{
			"user_code": flow.UserCode, "username": "carol@contoso.example", "approve": true,
		}, nil)
		if _, err := io.WriteString(stdin, "approved\n"); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		res := readResult("result")
		if elapsed := time.Since(start); elapsed >= time.Duration(flow.Interval)*time.Second {
			t.Errorf("device flow took %s, as long as a polling interval; it should succeed on the first poll", elapsed)
		}
		if !res.OK {
			t.Fatalf("acquire_token_by_device_flow failed: %s %v: %s", res.Error, res.ErrorCodes, res.ErrorDescription)
		}
		if res.IDTokenClaims["preferred_username"] != "carol@contoso.example" || res.IDTokenClaims["tid"] != contosoTenantID {
			t.Errorf("id_token claims = %v, want carol of contoso", res.IDTokenClaims)
		}
		if res.ExpiresIn != 600 {
			t.Errorf("expires_in = %d, want carol's 10-minute lifetime (600)", res.ExpiresIn)
		}
		if len(res.Cache.Accounts) != 1 || res.Cache.Accounts[0].HomeAccountID != res.IDTokenClaims["oid"]+"."+contosoTenantID {
			t.Errorf("cache accounts = %+v", res.Cache.Accounts)
		}
		after := e.requests(t)
		if n := count(after, "devicecode", "") - count(before, "devicecode", ""); n != 1 {
			t.Errorf("devicecode requests = %d, want 1", n)
		}
		if n := count(after, "token", "urn:ietf:params:oauth:grant-type:device_code") - count(before, "token", "urn:ietf:params:oauth:grant-type:device_code"); n != 1 {
			t.Errorf("device_code polls = %d, want exactly 1", n)
		}
	})

	t.Run("AuthCodeFlow", func(t *testing.T) {
		before := e.requests(t)
		res := e.runMSAL(t, filepath.Join(tmp, "authcode-cache.json"), "authcode",
			"--username", "alice@contoso.example", "--password", "demo-alice", "--port", strings.TrimPrefix(loopbackRedirect, "http://localhost:"))
		if !res.OK {
			t.Fatalf("acquire_token_by_auth_code_flow failed: %s %v: %s", res.Error, res.ErrorCodes, res.ErrorDescription)
		}
		if !slices.Equal(res.Pages, []string{"signin"}) {
			t.Errorf("pages pressed = %v, want just the sign-in page", res.Pages)
		}
		if res.RedirectTarget != loopbackRedirect {
			t.Errorf("redirected to %q, want %q", res.RedirectTarget, loopbackRedirect)
		}
		for _, p := range []string{"code", "state", "session_state", "client_info"} {
			if !slices.Contains(res.RedirectParams, p) {
				t.Errorf("redirect lacks %s: %v", p, res.RedirectParams)
			}
		}
		if !res.StateEchoed || !res.PKCESent || !res.NonceSentIsHash {
			t.Errorf("state echoed=%v, PKCE S256 sent=%v, nonce hash sent=%v", res.StateEchoed, res.PKCESent, res.NonceSentIsHash)
		}
		if res.IDTokenClaims["nonce"] == "" || !res.IDTokenNonceMatches {
			t.Errorf("id_token nonce %q does not match the request's", res.IDTokenClaims["nonce"])
		}
		if res.IDTokenClaims["preferred_username"] != "alice@contoso.example" || !res.HasRefreshToken {
			t.Errorf("claims %v, refresh token %v", res.IDTokenClaims, res.HasRefreshToken)
		}
		if len(res.Cache.Accounts) != 1 || res.Cache.Accounts[0].HomeAccountID != res.IDTokenClaims["oid"]+"."+contosoTenantID {
			t.Errorf("cache accounts = %+v", res.Cache.Accounts)
		}
		after := e.requests(t)
		if n := count(after, "token", "authorization_code") - count(before, "token", "authorization_code"); n != 1 {
			t.Errorf("authorization_code redemptions = %d, want 1", n)
		}
		if n := count(after, "login", "") - count(before, "login", ""); n != 1 {
			t.Errorf("sign-in form posts = %d, want 1", n)
		}
	})

	t.Run("CodeRedemptionRefusals", func(t *testing.T) {
		t.Run("wrong-code-verifier", func(t *testing.T) {
			g := e.signInForCode(t, loopbackRedirect, "alice@contoso.example", "demo-alice")
			status, body := e.redeemCode(t, g.code, loopbackRedirect, newVerifier(t))
			expectRefusal(t, status, body, "invalid_grant", 501481)
			status, body = e.redeemCode(t, g.code, loopbackRedirect, "")
			expectRefusal(t, status, body, "invalid_grant", 501481)
		})
		t.Run("reused-code", func(t *testing.T) {
			g := e.signInForCode(t, loopbackRedirect, "alice@contoso.example", "demo-alice")
			status, body := e.redeemCode(t, g.code, loopbackRedirect, g.verifier)
			if status != http.StatusOK || body["access_token"] == nil {
				t.Fatalf("first redemption: HTTP %d %v", status, body["error_description"])
			}
			idt, _ := body["id_token"].(string)
			if got := jwtClaims(t, idt)["nonce"]; got != g.nonce {
				t.Errorf("id_token nonce = %v, want %q", got, g.nonce)
			}
			status, body = e.redeemCode(t, g.code, loopbackRedirect, g.verifier)
			expectRefusal(t, status, body, "invalid_grant", 54005)
		})
		t.Run("mismatched-redirect-uri", func(t *testing.T) {
			g := e.signInForCode(t, loopbackRedirect, "alice@contoso.example", "demo-alice")
			for _, other := range []string{"http://localhost:8401", "http://127.0.0.1:8400", loopbackRedirect + "/"} {
				status, body := e.redeemCode(t, g.code, other, g.verifier)
				expectRefusal(t, status, body, "invalid_grant", 70000)
			}
		})
	})
}

// authCodeGrant is a code obtained through the HTML sign-in pages.
type authCodeGrant struct {
	code, verifier, nonce string
}

func randomString(t *testing.T, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func newVerifier(t *testing.T) string { return randomString(t, 32) }

// signInForCode plays the browser: it opens an authorization URL with
// PKCE, signs in on the HTML pages with a fresh cookie jar and returns the
// code from the redirect.
func (e *emulator) signInForCode(t *testing.T, redirectURI, username, password string) authCodeGrant {
	t.Helper()
	g := authCodeGrant{verifier: newVerifier(t), nonce: randomString(t, 12)}
	sum := sha256.Sum256([]byte(g.verifier))
	state := randomString(t, 12)
	q := url.Values{
		"client_id":             {azureCLIClient},
		"response_type":         {"code"},
		"redirect_uri":          {redirectURI},
		"scope":                 {"openid profile offline_access " + armScope},
		"state":                 {state},
		"nonce":                 {g.nonce},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(sum[:])},
		"code_challenge_method": {"S256"},
	}
	resp, err := idptest.NewBrowser(e.client).SignIn(context.Background(), e.ann.Authority+"/oauth2/v2.0/authorize?"+q.Encode(), username, password)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	if resp.RedirectURI != redirectURI {
		t.Fatalf("redirected to %s, want %s", resp.RedirectURI, redirectURI)
	}
	if resp.Params.Get("state") != state || resp.Params.Get("code") == "" {
		t.Fatalf("redirect params %v: want the state back and a code", resp.Params)
	}
	g.code = resp.Params.Get("code")
	return g
}

// redeemCode posts an authorization_code grant for the Azure CLI.
func (e *emulator) redeemCode(t *testing.T, code, redirectURI, verifier string) (int, map[string]any) {
	t.Helper()
	form := url.Values{
		"client_id":    {azureCLIClient},
		"grant_type":   {"authorization_code"},
		"code":         {code},
		"redirect_uri": {redirectURI},
		"scope":        {"openid profile offline_access " + armScope},
		"client_info":  {"1"},
	}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	resp, err := e.client.PostForm(e.ann.Authority+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("token endpoint answered HTTP %d without JSON: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, body
}

// expectRefusal checks an Entra-shaped token error.
func expectRefusal(t *testing.T, status int, body map[string]any, wantErr string, wantCode int) {
	t.Helper()
	if body["access_token"] != nil {
		t.Errorf("refused redemption still returned an access token")
	}
	if status != http.StatusBadRequest || body["error"] != wantErr {
		t.Errorf("got HTTP %d error %v, want 400 %s", status, body["error"], wantErr)
	}
	codes, _ := body["error_codes"].([]any)
	found := false
	for _, c := range codes {
		if n, ok := c.(float64); ok && int(n) == wantCode {
			found = true
		}
	}
	desc, _ := body["error_description"].(string)
	if !found || !strings.HasPrefix(desc, fmt.Sprintf("AADSTS%d:", wantCode)) {
		t.Errorf("error_codes %v, description %q; want AADSTS%d", codes, desc, wantCode)
	}
}

// jwtClaims decodes a JWT's payload without checking its signature; MSAL
// has already shown the tokens are acceptable, this only reads a claim.
func jwtClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(errors.Join(errors.New("JWT payload"), err))
	}
	return claims
}
