package idptest

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func codeForm(code, redirectURI, verifier string) url.Values {
	return url.Values{"grant_type": {"authorization_code"}, "client_id": {cli}, "code": {code},
		"redirect_uri": {redirectURI}, "code_verifier": {verifier}, "scope": {graphScope}, "client_info": {"1"}}
}

// signIn runs a browser sign-in and returns the authorization response.
func signIn(t *testing.T, srv *Server, authURL, username, password string) *AuthResponse {
	t.Helper()
	resp, err := NewBrowser(srv.Client()).SignIn(context.Background(), authURL, username, password)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	return resp
}

func TestAuthorizationCodeFlow(t *testing.T) {
	srv := startTLS(t)
	verifier, challenge := pkcePair(strings.Repeat("v", 43))
	pkce := url.Values{"code_challenge": {challenge}, "code_challenge_method": {"S256"}}

	resp := signIn(t, srv, authorizeURL(srv, "organizations", pkce), "alice@contoso.example", "demo-alice")
	if resp.RedirectURI != "http://localhost:8400" || resp.Params.Get("state") != "state-123" || resp.Params.Get("code") == "" {
		t.Fatalf("response %+v", resp)
	}
	code := resp.Params.Get("code")

	t.Run("wrong verifier", func(t *testing.T) {
		status, body := postToken(t, srv, "organizations", codeForm(code, "http://localhost:8400", strings.Repeat("w", 43)))
		wantError(t, status, body, 400, "invalid_grant", 501481)
	})
	t.Run("mismatched redirect_uri", func(t *testing.T) {
		status, body := postToken(t, srv, "organizations", codeForm(code, "http://localhost:8401", verifier))
		wantError(t, status, body, 400, "invalid_grant", 70000)
	})
	t.Run("redeemed", func(t *testing.T) {
		status, body := postToken(t, srv, "organizations", codeForm(code, "http://localhost:8400", verifier))
		if status != 200 {
			t.Fatalf("HTTP %d %v", status, body)
		}
		idt := verifiedClaims(t, srv, body["id_token"].(string))
		if idt["nonce"] != "nonce-456" || idt["preferred_username"] != "alice@contoso.example" {
			t.Errorf("id token %v", idt)
		}
	})
	t.Run("reused", func(t *testing.T) {
		// a code of its own, redeemed once here, so the subtest stands alone
		code := signIn(t, srv, authorizeURL(srv, "organizations", pkce), "alice@contoso.example", "demo-alice").Params.Get("code")
		if status, body := postToken(t, srv, "organizations", codeForm(code, "http://localhost:8400", verifier)); status != 200 {
			t.Fatalf("first redemption: HTTP %d %v", status, body)
		}
		status, body := postToken(t, srv, "organizations", codeForm(code, "http://localhost:8400", verifier))
		wantError(t, status, body, 400, "invalid_grant", 54005)
	})
	t.Run("expired after ten minutes", func(t *testing.T) {
		resp := signIn(t, srv, authorizeURL(srv, "organizations", pkce), "alice@contoso.example", "demo-alice")
		srv.Advance(11 * time.Minute)
		status, body := postToken(t, srv, "organizations", codeForm(resp.Params.Get("code"), "http://localhost:8400", verifier))
		wantError(t, status, body, 400, "invalid_grant", 70008)
	})
	t.Run("invalid code", func(t *testing.T) {
		status, body := postToken(t, srv, "organizations", codeForm("bogus", "http://localhost:8400", verifier))
		wantError(t, status, body, 400, "invalid_grant", 70000)
	})
}

func TestAuthorizeRequestChecks(t *testing.T) {
	srv := startTLS(t)
	browser := func() *Browser { return NewBrowser(srv.Client()) }
	ctx := context.Background()

	t.Run("any loopback port for a public client", func(t *testing.T) {
		for _, redirect := range []string{"http://localhost:51234", "http://127.0.0.1:40000/callback", "http://[::1]:8080"} {
			_, page, err := browser().Open(ctx, authorizeURL(srv, "organizations", url.Values{"redirect_uri": {redirect}}))
			if err != nil || !strings.Contains(page, `name="passwd"`) {
				t.Errorf("%s: err %v", redirect, err)
			}
		}
	})
	errorPages := []struct {
		name  string
		extra url.Values
		code  string
	}{
		{"unknown client", url.Values{"client_id": {"00000000-0000-0000-0000-000000000000"}}, "AADSTS700016"},
		{"https redirect not registered", url.Values{"redirect_uri": {"https://evil.example/cb"}}, "AADSTS50011"},
		{"confidential app needs exact redirect", url.Values{"client_id": {ConfidentialClientID}, "redirect_uri": {"http://localhost:8400"}}, "AADSTS50011"},
	}
	for _, tt := range errorPages {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := browser().Open(ctx, authorizeURL(srv, "organizations", tt.extra))
			if err == nil || !strings.Contains(err.Error(), tt.code) {
				t.Errorf("err = %v, want an error page with %s", err, tt.code)
			}
		})
	}
	redirected := []struct {
		name    string
		extra   url.Values
		wantErr string
	}{
		{"response_type token", url.Values{"response_type": {"token"}}, "unsupported_response_type"},
		{"plain PKCE", url.Values{"code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"plain"}}, "invalid_request"},
		{"bad claims", url.Values{"claims": {"{not json"}}, "invalid_request"},
		{"bad scope", url.Values{"scope": {"openid https://graph.microsoft.com/"}}, "invalid_scope"},
		{"prompt none without session", url.Values{"prompt": {"none"}}, "login_required"},
	}
	for _, tt := range redirected {
		t.Run(tt.name, func(t *testing.T) {
			resp, _, err := browser().Open(ctx, authorizeURL(srv, "organizations", tt.extra))
			if err != nil || resp == nil {
				t.Fatalf("want a redirect, got err %v", err)
			}
			if resp.Params.Get("error") != tt.wantErr || resp.Params.Get("state") != "state-123" || !strings.HasPrefix(resp.Params.Get("error_description"), "AADSTS") {
				t.Errorf("params %v", resp.Params)
			}
		})
	}
	t.Run("cancel gives access_denied", func(t *testing.T) {
		resp, err := browser().Cancel(ctx, authorizeURL(srv, "organizations", nil))
		if err != nil || resp.Params.Get("error") != "access_denied" || resp.Params.Get("state") != "state-123" {
			t.Fatalf("resp %+v err %v", resp, err)
		}
	})
	t.Run("login_hint prefills and is escaped", func(t *testing.T) {
		_, page, err := browser().Open(ctx, authorizeURL(srv, "organizations", url.Values{"login_hint": {`"><script>x</script>`}, "domain_hint": {"contoso.example"}}))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(page, "<script>x") || !strings.Contains(page, "&#34;&gt;&lt;script&gt;") || !strings.Contains(page, "contoso.example") {
			t.Errorf("page does not escape or show hints:\n%s", page)
		}
	})
	t.Run("wrong password stays on the page", func(t *testing.T) {
		_, err := browser().SignIn(ctx, authorizeURL(srv, "organizations", nil), "alice@contoso.example", "wrong")
		if err == nil || !strings.Contains(err.Error(), "incorrect") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("form_post", func(t *testing.T) {
		resp := signIn(t, srv, authorizeURL(srv, "organizations", url.Values{"response_mode": {"form_post"}}), "alice@contoso.example", "demo-alice")
		if !resp.FormPost || resp.Params.Get("code") == "" || resp.Params.Get("state") != "state-123" {
			t.Errorf("resp %+v", resp)
		}
	})
	t.Run("MFA user approves a second factor", func(t *testing.T) {
		resp := signIn(t, srv, authorizeURL(srv, "organizations", nil), "bob@contoso.example", "demo-bob")
		status, body := postToken(t, srv, "organizations", url.Values{"grant_type": {"authorization_code"}, "client_id": {cli},
			"code": {resp.Params.Get("code")}, "redirect_uri": {"http://localhost:8400"}, "scope": {graphScope}})
		if status != 200 {
			t.Fatalf("HTTP %d %v", status, body)
		}
		at := graphClaims(t, srv, body["access_token"].(string))
		if amr, _ := at["amr"].([]any); len(amr) != 2 || amr[1] != "mfa" {
			t.Errorf("amr = %v", at["amr"])
		}
	})
}

func TestBrowserSession(t *testing.T) {
	srv := startTLS(t)
	ctx := context.Background()
	b := NewBrowser(srv.Client())
	if _, err := b.SignIn(ctx, authorizeURL(srv, "organizations", nil), "alice@contoso.example", "demo-alice"); err != nil {
		t.Fatal(err)
	}
	t.Run("prompt none signs in from the session", func(t *testing.T) {
		resp, _, err := b.Open(ctx, authorizeURL(srv, "organizations", url.Values{"prompt": {"none"}}))
		if err != nil || resp == nil || resp.Params.Get("code") == "" {
			t.Fatalf("resp %+v err %v", resp, err)
		}
	})
	t.Run("prompt login asks again", func(t *testing.T) {
		resp, page, err := b.Open(ctx, authorizeURL(srv, "organizations", url.Values{"prompt": {"login"}}))
		if err != nil || resp != nil || !strings.Contains(page, `name="passwd"`) {
			t.Fatalf("want the sign-in page, got %+v %v", resp, err)
		}
	})
	t.Run("select_account lists the session", func(t *testing.T) {
		_, page, err := b.Open(ctx, authorizeURL(srv, "organizations", url.Values{"prompt": {"select_account"}}))
		if err != nil || !strings.Contains(page, "alice@contoso.example") || !strings.Contains(page, `value="other"`) {
			t.Fatalf("page %s err %v", page, err)
		}
	})
	t.Run("prompt consent shows the consent page", func(t *testing.T) {
		_, page, err := b.Open(ctx, authorizeURL(srv, "organizations", url.Values{"prompt": {"consent"}}))
		if err != nil || !strings.Contains(page, `value="consent"`) {
			t.Fatalf("page %s err %v", page, err)
		}
	})
	t.Run("max_age older than the session asks again", func(t *testing.T) {
		srv.Advance(10 * time.Minute)
		resp, page, err := b.Open(ctx, authorizeURL(srv, "organizations", url.Values{"max_age": {"60"}}))
		if err != nil || resp != nil || !strings.Contains(page, `value="alice@contoso.example"`) {
			t.Fatalf("want a prefilled sign-in page, got %+v %v", resp, err)
		}
		resp, _, _ = b.Open(ctx, authorizeURL(srv, "organizations", url.Values{"max_age": {"60"}, "prompt": {"none"}}))
		if resp == nil || resp.Params.Get("error") != "login_required" {
			t.Fatalf("prompt=none past max_age: %+v", resp)
		}
	})
	t.Run("another tenant's authority ignores the session", func(t *testing.T) {
		resp, _, _ := b.Open(ctx, authorizeURL(srv, FabrikamTenantID, url.Values{"prompt": {"none"}}))
		if resp == nil || resp.Params.Get("error") != "login_required" {
			t.Fatalf("resp %+v", resp)
		}
	})
}

func TestDeliverToLoopback(t *testing.T) {
	srv := startTLS(t)
	got := make(chan url.Values, 1)
	app := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.URL.Query()
		io.WriteString(w, "done")
	})}
	ln := listenLoopback(t)
	go app.Serve(ln)
	t.Cleanup(func() { app.Close() })
	redirect := "http://" + ln.Addr().String()
	resp := signIn(t, srv, authorizeURL(srv, "organizations", url.Values{"redirect_uri": {redirect}}), "alice@contoso.example", "demo-alice")
	status, body, err := NewBrowser(srv.Client()).Deliver(context.Background(), resp)
	if err != nil || status != 200 || body != "done" {
		t.Fatalf("deliver: %d %q %v", status, body, err)
	}
	if q := <-got; q.Get("code") == "" || q.Get("state") != "state-123" {
		t.Errorf("app got %v", q)
	}
}
