package tests

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// oidcProviderDir holds the independent OpenID Connect provider: panva's
// oidc-provider from npm (.ci/run installs it with npm ci).
const oidcProviderDir = "oidcprovider"

// oidcClientID is the provider's one registered client: native, public,
// redirect http://127.0.0.1/callback on any port.
const oidcClientID = "acctui-e2e"

// requireOIDCProvider skips (or, on CI, fails) when node or the provider's
// package is missing.
func requireOIDCProvider(t *testing.T) {
	t.Helper()
	reason := ""
	if _, err := exec.LookPath("node"); err != nil {
		reason = "node is not installed (apt-get install -y nodejs npm)"
	} else if _, err := os.Stat(filepath.Join(oidcProviderDir, "node_modules", "oidc-provider", "package.json")); err != nil {
		reason = "the OpenID Connect provider is not installed (npm ci --prefix tests/oidcprovider)"
	}
	if reason == "" {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatal(reason)
	}
	t.Skip(reason)
}

// startOIDCProvider runs the provider and returns its issuer; the test's
// cleanup stops it.
func startOIDCProvider(t *testing.T) string {
	t.Helper()
	requireOIDCProvider(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "node", "provider.mjs")
	cmd.Dir = oidcProviderDir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "NODE_ENV=development"}
	cmd.Stderr = io.Discard // its start-up warnings about development keys
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(60 * time.Second):
		t.Fatal("the OpenID Connect provider did not start within 60 s")
	}
	var ann struct {
		Issuer string `json:"issuer"`
	}
	if err := json.Unmarshal([]byte(line), &ann); err != nil || ann.Issuer == "" {
		t.Fatalf("the OpenID Connect provider announced %q: %v", line, err)
	}
	return ann.Issuer
}

// oidcUser is the person at the browser: an HTTP client with cookies that
// follows the provider's redirects (its interactions sign in and consent
// by themselves) back to acctui's loopback listener.
func oidcUser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 30 * time.Second}
}

var (
	signInURL     = regexp.MustCompile(`(?m)^(http://127\.0\.0\.1:\d+/auth\?\S+)$`)
	deviceCode    = regexp.MustCompile(`Code: (\S+)`)
	deviceAddress = regexp.MustCompile(`open (http://127\.0\.0\.1:\d+/\S+?) and enter`)
	formAction    = regexp.MustCompile(`<form[^>]*action="([^"]+)"`)
	hiddenInput   = regexp.MustCompile(`<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"`)
)

// TestOIDCProviderEndToEnd signs in to an independent OpenID Connect
// provider with the acctui binary, by browser and by device code, then
// lists the accounts, takes a token from the cache and one by refresh.
func TestOIDCProviderEndToEnd(t *testing.T) {
	issuer := startOIDCProvider(t)
	s := newCLISuite(t, &emulator{})
	env := func(name, iss string) *cliEnv {
		return s.newEnv(t, name).with("ACCTUI_AUTHORITY", "", "ACCTUI_CA_FILE", "",
			"ACCTUI_OIDC_AUTHORITY", iss, "ACCTUI_CLIENT_ID", oidcClientID)
	}
	c := env("oidc-browser", issuer)

	t.Run("browser", func(t *testing.T) {
		p := c.start(t, "login", "--method", "browser", "--no-browser")
		address := p.waitFor(t, signInURL, 30*time.Second)[1]
		u, err := url.Parse(address)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		// What a strict provider needs, and none of Entra's own parameters.
		if got := q.Get("scope"); got != "openid profile offline_access" {
			t.Errorf("scope %q, want openid profile offline_access", got)
		}
		if r := q.Get("redirect_uri"); !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/callback$`).MatchString(r) {
			t.Errorf("redirect_uri %q, want RFC 8252's http://127.0.0.1:{port}/callback", r)
		}
		for _, entraOnly := range []string{"client_info", "claims", "domain_hint", "X-AnchorMailbox"} {
			if q.Has(entraOnly) {
				t.Errorf("the sign-in URL carries Entra's %s", entraOnly)
			}
		}
		resp, err := oidcUser(t).Get(address)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		res := c.wait(t, p, 30*time.Second).want(t, 0)
		if want := "Signed in as alice@oidc.example (issuer " + issuer + ")"; !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	})

	t.Run("accounts", func(t *testing.T) {
		accounts := c.accountsJSON(t)
		if len(accounts) != 1 || accounts[0]["username"] != "alice@oidc.example" {
			t.Fatalf("accounts %v, want alice@oidc.example alone", accounts)
		}
		res := c.run(t, nil, "accounts").want(t, 0)
		if !strings.Contains(res.stdout, "issuer "+issuer) || strings.Contains(res.stdout, "tenant ") {
			t.Errorf("accounts shows no issuer (or a tenant) for the provider's account:\n%s", res.stdout)
		}
	})

	var first tokenOutput
	t.Run("token from cache", func(t *testing.T) {
		first = c.token(t)
		if first.Source != "cache" {
			t.Errorf("source %q right after the sign-in, want cache", first.Source)
		}
		if again := c.token(t); again.AccessToken != first.AccessToken {
			t.Error("a second token call did not return the cached token")
		}
	})

	t.Run("token force-refresh", func(t *testing.T) {
		if first.AccessToken == "" {
			t.Skip("needs the token from the cache subtest")
		}
		refreshed := c.token(t, "--force-refresh")
		if refreshed.Source != "identity_provider" || refreshed.AccessToken == first.AccessToken {
			t.Fatalf("force-refresh gave source %q and the same token: %v", refreshed.Source, refreshed.AccessToken == first.AccessToken)
		}
		// The provider rotates refresh tokens: the new one must have been
		// kept, or this second refresh fails.
		if again := c.token(t, "--force-refresh"); again.Source != "identity_provider" {
			t.Errorf("second force-refresh source %q", again.Source)
		}
		if cached := c.token(t); cached.Source != "cache" {
			t.Errorf("after a refresh the token comes from %q, want cache", cached.Source)
		}
	})

	t.Run("device", func(t *testing.T) {
		d := env("oidc-device", issuer)
		p := d.start(t, "login", "--method", "device")
		code := p.waitFor(t, deviceCode, 30*time.Second)[1]
		address := p.waitFor(t, deviceAddress, 5*time.Second)[1]
		confirmDeviceCode(t, oidcUser(t), address, code)
		res := d.wait(t, p, 60*time.Second).want(t, 0)
		if !strings.Contains(res.stderr, "Signed in as alice@oidc.example") {
			t.Errorf("device sign-in:\n%s", res.stderr)
		}
		if tok := d.token(t, "--force-refresh"); tok.Source != "identity_provider" {
			t.Errorf("refresh after the device sign-in: source %q", tok.Source)
		}
	})

	t.Run("two providers keep two accounts", func(t *testing.T) {
		other := startOIDCProvider(t)
		c2 := c.with("ACCTUI_OIDC_AUTHORITY", other)
		p := c2.start(t, "login", "--method", "browser", "--no-browser")
		address := p.waitFor(t, signInURL, 30*time.Second)[1]
		resp, err := oidcUser(t).Get(address)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		c2.wait(t, p, 30*time.Second).want(t, 0)
		accounts := c2.accountsJSON(t)
		if len(accounts) != 2 || accounts[0]["home_account_id"] == accounts[1]["home_account_id"] {
			t.Fatalf("the same sub at two issuers made %d accounts: %v", len(accounts), accounts)
		}
		// Each provider's refresh token goes to its own provider only.
		for _, acct := range accounts {
			home := fmt.Sprint(acct["home_account_id"])
			for _, cfg := range []*cliEnv{c, c2} {
				res := cfg.run(t, nil, "token", "--json", "--force-refresh", "--account", home)
				if res.code == 0 {
					var out tokenOutput
					_ = json.Unmarshal([]byte(res.stdout), &out)
					cfg.s.remember(out.AccessToken, "access token of a second provider")
				}
			}
		}
	})

	t.Run("exact redirect uri", func(t *testing.T) {
		r := env("oidc-redirect", issuer)
		redirect := "http://127.0.0.1:" + freePort(t) + "/callback"
		p := r.with("ACCTUI_REDIRECT_URI", redirect).start(t, "login", "--method", "browser", "--no-browser")
		address := p.waitFor(t, signInURL, 30*time.Second)[1]
		u, err := url.Parse(address)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Query().Get("redirect_uri"); got != redirect {
			t.Errorf("redirect_uri %q, want %q", got, redirect)
		}
		resp, err := oidcUser(t).Get(address)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		r.wait(t, p, 30*time.Second).want(t, 0)
	})

	t.Run("password is not offered", func(t *testing.T) {
		// oidc-provider implements no password grant: its document leaves
		// it out of grant_types_supported, and acctui says so before
		// sending a password.
		pw := env("oidc-password", issuer)
		line := pw.loginPassword(t, "alice", "not-sent").want(t, 1).errorLine()
		if !strings.Contains(line, issuer) || !strings.Contains(line, "grant_types_supported") {
			t.Errorf("error line %q", line)
		}
	})

	t.Run("issuer mismatch", func(t *testing.T) {
		// The same provider named by another address: its document names
		// 127.0.0.1, not localhost.
		other := strings.Replace(issuer, "127.0.0.1", "localhost", 1)
		b := env("oidc-mismatch", other)
		res := b.run(t, nil, "login", "--method", "device").want(t, 1)
		if line := res.errorLine(); !strings.Contains(line, "issuer") || !strings.Contains(line, other) {
			t.Errorf("error line %q does not name the provider and its issuer", line)
		}
		if accounts := b.accountsJSON(t); len(accounts) != 0 {
			t.Errorf("a refused provider left accounts: %v", accounts)
		}
	})
}

// confirmDeviceCode enters the code at the provider's verification page
// and submits its forms (the code, then the confirmation) as a person
// would; the provider's interactions sign in and consent by themselves.
func confirmDeviceCode(t *testing.T, user *http.Client, address, code string) {
	t.Helper()
	resp, err := user.Get(address + "?user_code=" + url.QueryEscape(code))
	if err != nil {
		t.Fatal(err)
	}
	for step := 0; ; step++ {
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("device verification: HTTP %d\n%s", resp.StatusCode, page)
		}
		action := formAction.FindStringSubmatch(string(page))
		if action == nil {
			return // the success page
		}
		if step == 3 {
			t.Fatalf("the verification pages keep asking:\n%s", page)
		}
		form := url.Values{}
		for _, m := range hiddenInput.FindAllStringSubmatch(string(page), -1) {
			form.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
		}
		target, err := resp.Request.URL.Parse(html.UnescapeString(action[1]))
		if err != nil {
			t.Fatal(err)
		}
		if resp, err = user.PostForm(target.String(), form); err != nil {
			t.Fatal(err)
		}
	}
}
