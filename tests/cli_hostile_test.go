package tests

// TestCLIHostileText: a hostile identity provider (the emulator with a
// directory whose names carry terminal escapes, behind a rewriting proxy
// that injects hostile error descriptions and device-code fields) and a
// crafted MSAL cache file try to reach the terminal through every command
// that prints what they chose. Human output must carry no raw control
// byte, C1 control or bidi control; --json output must keep the exact
// values.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"acctui/engine"
	"acctui/engine/idptest"
)

// hostileText holds what a terminal obeys: an OSC 52 clipboard write, a
// screen clear, an OSC 8 link, a C1 CSI, bidi overrides and isolates, and a
// line break that forges an error line.
// hostileTextNoAddress is hostileText's controls without a link: the
// engine replaces a device-code message that names an address of its own.
const hostileTextNoAddress = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\u009b31m\u202eevil\u2066\nacctui: forged line\r"

const hostileText = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\\u009b31m\u202eevil\u2066\nacctui: forged line\r"

// Hostile people in the emulator's directory.
const (
	malloryUsername = "mallory\x1b]0;pwned\x07\u202e@contoso.example"
	malloryName     = "Mallory " + hostileText
)

// terminalControls lists the characters of s a terminal would act on
// rather than show: C0 controls except the line feed, DEL, C1 controls,
// bidi controls, line and paragraph separators, invalid UTF-8.
func terminalControls(s string) []string {
	var found []string
	for i, r := range s {
		switch {
		case r == '\n':
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			found = append(found, fmt.Sprintf("invalid UTF-8 at %d", i))
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
			r == 0x200e, r == 0x200f, r == 0x061c, r == 0x2028, r == 0x2029:
			found = append(found, fmt.Sprintf("%U at %d", r, i))
		}
	}
	return found
}

// checkPrintable fails when a run's human output holds a terminal control.
func checkPrintable(t *testing.T, res cliResult) {
	t.Helper()
	for stream, text := range map[string]string{"stdout": res.stdout, "stderr": res.stderr} {
		if bad := terminalControls(text); len(bad) > 0 {
			t.Errorf("acctui %q printed raw terminal controls on %s: %v\n%q", res.args, stream, bad, text)
		}
	}
	if strings.Contains(res.stderr, "\nacctui: forged line") || strings.HasPrefix(res.stderr, "acctui: forged line") {
		t.Errorf("acctui %q let hostile text start a line of its own:\n%s", res.args, res.stderr)
	}
}

// hostileDirectory writes the default directory plus mallory to a file
// for idp serve --directory.
func hostileDirectory(t *testing.T) string {
	t.Helper()
	d := idptest.DefaultDirectory()
	for _, tenant := range d.Tenants {
		if tenant.ID == contosoTenantID {
			tenant.Users = append(tenant.Users, &idptest.User{Username: malloryUsername, Password: "demo-mallory", Name: malloryName})
		}
	}
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "hostile-directory.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// rewritingProxy stands between acctui and the emulator (plain http on
// loopback, which acctui accepts as an authority): it points the
// emulator's absolute URLs at itself and lets a test rewrite answers.
type rewritingProxy struct {
	srv *httptest.Server
	e   *emulator

	mu      sync.Mutex
	rewrite func(path string, status int, body []byte) (int, []byte)
}

func newRewritingProxy(t *testing.T, e *emulator) *rewritingProxy {
	t.Helper()
	p := &rewritingProxy{e: e}
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(p.serve))
	p.srv.Start() // after p.srv is set: the handler reads its URL
	t.Cleanup(p.srv.Close)
	return p
}

// authority is the default tenant's authority through the proxy.
func (p *rewritingProxy) authority() string {
	return strings.Replace(p.e.ann.Authority, p.e.ann.URL, p.srv.URL, 1)
}

// set installs a rewrite of the answers (nil: none).
func (p *rewritingProxy) set(f func(path string, status int, body []byte) (int, []byte)) {
	p.mu.Lock()
	p.rewrite = f
	p.mu.Unlock()
}

func (p *rewritingProxy) serve(w http.ResponseWriter, r *http.Request) {
	// Requests name the proxy (instance discovery sends the authorize
	// endpoint): the emulator is told its own address.
	body, _ := io.ReadAll(r.Body)
	uri := strings.ReplaceAll(r.URL.RequestURI(), url.QueryEscape(p.srv.URL), url.QueryEscape(p.e.ann.URL))
	body = bytes.ReplaceAll(body, []byte(url.QueryEscape(p.srv.URL)), []byte(url.QueryEscape(p.e.ann.URL)))
	out, err := http.NewRequestWithContext(r.Context(), r.Method, p.e.ann.URL+uri, bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out.Header = r.Header.Clone()
	resp, err := p.e.client.Do(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	answer = bytes.ReplaceAll(answer, []byte(p.e.ann.URL), []byte(p.srv.URL))
	status := resp.StatusCode
	p.mu.Lock()
	rewrite := p.rewrite
	p.mu.Unlock()
	if rewrite != nil {
		status, answer = rewrite(r.URL.Path, status, answer)
	}
	for k, v := range resp.Header {
		if k != "Content-Length" {
			w.Header()[k] = v
		}
	}
	if loc := resp.Header.Get("Location"); loc != "" {
		w.Header().Set("Location", strings.Replace(loc, p.e.ann.URL, p.srv.URL, 1))
	}
	w.WriteHeader(status)
	w.Write(answer)
}

// rewriteJSON changes fields of a JSON object answer.
func rewriteJSON(t *testing.T, body []byte, fields map[string]any) []byte {
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Errorf("rewriting an answer that is not a JSON object: %v: %s", err, body)
		return body
	}
	for k, v := range fields {
		doc[k] = v
	}
	out, _ := json.Marshal(doc)
	return out
}

func TestCLIHostileText(t *testing.T) {
	t.Parallel()
	e := startEmulatorWith(t, "--directory", hostileDirectory(t))
	s := newCLISuite(t, e)
	proxy := newRewritingProxy(t, e)
	mallory := s.newEnv(t, "mallory").with("ACCTUI_AUTHORITY", proxy.authority())

	// deviceLogin signs mallory in by device code, the hostile message
	// injected by the proxy.
	deviceLogin := func(t *testing.T, env *cliEnv, message string) cliResult {
		t.Helper()
		proxy.set(func(path string, status int, body []byte) (int, []byte) {
			if strings.HasSuffix(path, "/devicecode") && status == http.StatusOK {
				body = rewriteJSON(t, body, map[string]any{"message": message})
			}
			return status, body
		})
		defer proxy.set(nil)
		p := env.start(t, "login", "--method", "device")
		m := p.waitFor(t, regexp.MustCompile(`\n\n  Code: (\S+)\n\n`), 10*time.Second)
		e.admin(t, http.MethodPost, "/_admin/device", map[string]any{"user_code": m[1], "username": malloryUsername, "approve": true}, nil)
		return env.wait(t, p, 15*time.Second)
	}

	// needMallory signs mallory in, with a harmless device-code message,
	// when no earlier subtest did (the subtest runs alone).
	needMallory := func(t *testing.T) {
		t.Helper()
		for _, a := range mallory.accountsJSON(t) {
			if a["username"] == malloryUsername {
				return
			}
		}
		deviceLogin(t, mallory, "To sign in, open the page.").want(t, 0)
	}

	t.Run("login-device", func(t *testing.T) {
		// Without an address of its own the message is shown, escaped.
		res := deviceLogin(t, mallory, "To sign in, "+hostileTextNoAddress+" open the page.").want(t, 0)
		checkPrintable(t, res)
		if !strings.Contains(res.stderr, `To sign in, \x1b]52;c;ZXZpbA==\x07`) {
			t.Errorf("the hostile device-code message is not shown escaped:\n%s", res.stderr)
		}
		if !strings.Contains(res.stderr, `Signed in as mallory\x1b]0;pwned\x07\u202e@contoso.example`) {
			t.Errorf("the hostile username is not shown escaped:\n%s", res.stderr)
		}
	})

	t.Run("login-device-foreign-address", func(t *testing.T) {
		// A message that names another address than the checked
		// verification URI is replaced by the engine's own wording.
		res := deviceLogin(t, mallory, "To sign in, "+hostileText+" open the page.").want(t, 0)
		checkPrintable(t, res)
		if strings.Contains(res.stderr, "evil.example") {
			t.Errorf("a device-code message naming another address was shown:\n%s", res.stderr)
		}
		if !regexp.MustCompile(`To sign in, open https?://127\.0\.0\.1:\d+/\S*devicelogin and enter the code`).MatchString(res.stderr) {
			t.Errorf("the engine's own device-code message is missing:\n%s", res.stderr)
		}
	})

	t.Run("accounts", func(t *testing.T) {
		needMallory(t)
		res := mallory.run(t, nil, "accounts").want(t, 0)
		checkPrintable(t, res)
		if !strings.Contains(res.stdout, `(Mallory \x1b]52;c;ZXZpbA==\x07\x1b[2J\x1b]8;;https://evil.example/\x1b\click\x1b]8;;\x1b\\x9b31m\u202eevil\u2066 acctui: forged line )`) {
			t.Errorf("accounts does not show the display name escaped on one line:\n%s", res.stdout)
		}
		accounts := mallory.accountsJSON(t)
		if len(accounts) != 1 || accounts[0]["username"] != malloryUsername || accounts[0]["name"] != malloryName {
			t.Errorf("accounts --json does not keep the exact values: %q", accounts)
		}
	})

	t.Run("token-json", func(t *testing.T) {
		needMallory(t)
		out := mallory.token(t)
		if out.Account.Username != malloryUsername {
			t.Errorf("token --json username = %q, want %q", out.Account.Username, malloryUsername)
		}
		res := mallory.run(t, nil, "token").want(t, 0)
		checkPrintable(t, res)
	})

	t.Run("decode", func(t *testing.T) {
		needMallory(t)
		// The ID token the emulator issued for mallory carries the
		// hostile name and preferred_username.
		var issued []string
		e.admin(t, http.MethodGet, "/_admin/issued", nil, &issued)
		var idToken string
		for _, secret := range issued {
			if d, err := engine.DecodeClaimsUnverified(secret); err == nil && d.Claims["name"] == malloryName && d.Claims["scp"] == nil {
				idToken = secret
			}
		}
		if idToken == "" {
			t.Fatal("the emulator issued no ID token for mallory")
		}
		s.remember(idToken, "mallory's ID token")
		res := mallory.run(t, nil, "decode", idToken).want(t, 0)
		checkPrintable(t, res)
		if !strings.Contains(res.stdout, `Mallory \x1b]52;c;`) {
			t.Errorf("decode does not show the name escaped:\n%s", res.stdout)
		}
		res = mallory.run(t, nil, "decode", "--json", idToken).want(t, 0)
		var out struct {
			Claims map[string]any `json:"claims"`
		}
		if err := json.Unmarshal([]byte(res.stdout), &out); err != nil || out.Claims["name"] != malloryName || out.Claims["preferred_username"] != malloryUsername {
			t.Errorf("decode --json does not keep the exact claims (%v): %q", err, out.Claims)
		}
	})

	t.Run("error-description", func(t *testing.T) {
		needMallory(t)
		proxy.set(func(path string, status int, body []byte) (int, []byte) {
			if strings.HasSuffix(path, "/oauth2/v2.0/token") {
				description, _ := json.Marshal("AADSTS70000: " + hostileText)
				return http.StatusBadRequest, []byte(`{"error":"invalid_grant","error_description":` + string(description) + `,"error_codes":[70000]}`)
			}
			return status, body
		})
		defer proxy.set(nil)
		res := mallory.run(t, nil, "token", "--force-refresh")
		if res.code == 0 {
			t.Fatalf("a refused refresh succeeded: %s", res)
		}
		checkPrintable(t, res)
		if !strings.Contains(res.errorLine(), `AADSTS70000: \x1b]52;c;ZXZpbA==\x07`) {
			t.Errorf("the error line does not show the description escaped: %q", res.errorLine())
		}
	})

	t.Run("device-verification-uri-not-https", func(t *testing.T) {
		proxy.set(func(path string, status int, body []byte) (int, []byte) {
			if strings.HasSuffix(path, "/devicecode") && status == http.StatusOK {
				body = rewriteJSON(t, body, map[string]any{"verification_uri": "http://evil.example/devicelogin"})
			}
			return status, body
		})
		defer proxy.set(nil)
		env := s.newEnv(t, "device-http").with("ACCTUI_AUTHORITY", proxy.authority())
		res := env.run(t, nil, "login", "--method", "device")
		if res.code == 0 {
			t.Fatalf("a device code with an http verification address signed in: %s", res)
		}
		checkPrintable(t, res)
		for _, shown := range []string{"Code:", "Scan to open", "▀", "█"} {
			if strings.Contains(res.stderr, shown) {
				t.Errorf("an http verification address was shown or drawn (%q on stderr):\n%s", shown, res.stderr)
			}
		}
	})

	t.Run("browser-redirect-error", func(t *testing.T) {
		env := s.newEnv(t, "redirect").with("ACCTUI_AUTHORITY", proxy.authority())
		p := env.start(t, "login", "--method", "browser", "--no-browser", "--port", freePort(t))
		m := p.waitFor(t, regexp.MustCompile(`Sign in at this URL[^\n]*:\n\n(\S+)\n\n`), 10*time.Second)
		auth, err := url.Parse(m[1])
		if err != nil {
			t.Fatal(err)
		}
		q := auth.Query()
		answer := url.Values{"state": {q.Get("state")}, "error": {"access_denied"}, "error_description": {"AADSTS65004: " + hostileText}}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, q.Get("redirect_uri")+"?"+answer.Encode(), nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("delivering the redirect: %v", err)
		}
		resp.Body.Close()
		res := env.wait(t, p, 10*time.Second)
		if res.code == 0 {
			t.Fatalf("a refused sign-in succeeded: %s", res)
		}
		checkPrintable(t, res)
		if !strings.Contains(res.errorLine(), `AADSTS65004: \x1b]52;c;`) {
			t.Errorf("the error line does not show the description escaped: %q", res.errorLine())
		}
	})

	t.Run("logout", func(t *testing.T) {
		needMallory(t)
		res := mallory.run(t, nil, "logout", malloryUsername, "--yes").want(t, 0)
		checkPrintable(t, res)
		if !strings.Contains(res.stderr, `Removed mallory\x1b]0;pwned\x07\u202e@contoso.example.`) {
			t.Errorf("logout does not name the account escaped:\n%s", res.stderr)
		}
	})

	t.Run("import-crafted-file", func(t *testing.T) {
		env := s.newEnv(t, "import-hostile")
		home := "uid" + hostileText + ".utid\x1b[2J"
		cacheDoc := map[string]any{
			"Account": map[string]any{
				"hostile-account": map[string]any{
					"home_account_id": home, "environment": "login.microsoftonline.com", "realm": "utid\x1b[2J",
					"local_account_id": "uid", "username": "eve\x1b]52;c;ZXZpbA==\x07@evil.example", "name": "Eve " + hostileText,
					"authority_type": "MSSTS",
				},
			},
			"AccessToken": map[string]any{
				"hostile-at": map[string]any{
					"home_account_id": home, "environment": "login.microsoftonline.com", "realm": "utid\x1b[2J",
					"credential_type": "AccessToken", "client_id": idptest.AzureCLIClientID, "secret": "not-a-real-token-0123456789",
					"target":    "https://graph.microsoft.com/.default \x1b]8;;https://evil.example/\x1b\\scope",
					"cached_at": "1700000000", "expires_on": "4102444800",
				},
			},
		}
		raw, _ := json.Marshal(cacheDoc)
		// The file's own name is hostile too.
		file := filepath.Join(env.home, "cache\x1b]0;title\x07.json")
		if err := os.WriteFile(file, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		res := env.run(t, nil, "import", "--msal", file).want(t, 0)
		checkPrintable(t, res)
		res = env.run(t, nil, "accounts").want(t, 0)
		checkPrintable(t, res)
		if !strings.Contains(res.stdout, `eve\x1b]52;c;ZXZpbA==\x07@evil.example`) || !strings.Contains(res.stdout, `\x1b]8;;https://evil.example/`) {
			t.Errorf("accounts does not show the imported names and scopes escaped:\n%s", res.stdout)
		}
		accounts := env.accountsJSON(t)
		if len(accounts) != 1 || accounts[0]["home_account_id"] != home || accounts[0]["username"] != "eve\x1b]52;c;ZXZpbA==\x07@evil.example" {
			t.Errorf("accounts --json does not keep the imported values exactly: %q", accounts)
		}
		res = env.run(t, nil, "logout", "eve\x1b]52;c;ZXZpbA==\x07@evil.example", "--yes").want(t, 0)
		checkPrintable(t, res)
	})
}
