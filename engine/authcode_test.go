package engine

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"acctui/engine/idptest"
)

const redirect = "http://localhost:8400"

func browserResponse(t *testing.T, e *env, authURL, username, password string) url.Values {
	t.Helper()
	resp, err := idptest.NewBrowser(e.srv.Client()).SignIn(context.Background(), authURL, username, password)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return resp.Params
}

func TestAuthCodeFlow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	flow, err := e.client.InitiateAuthCodeFlow(ctx, graph, WithRedirectURI(redirect), WithLoginHint(alice), WithMaxAge(3600))
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(flow.AuthURI)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("state") != flow.State || q.Get("nonce") != nonceHash(flow.Nonce) ||
		q.Get("login_hint") != alice || q.Get("max_age") != "3600" || !strings.Contains(q.Get("scope"), "offline_access") {
		t.Fatalf("auth URI query %v", q)
	}
	// the flow survives a JSON round trip, as a web app would store it
	raw, _ := json.Marshal(flow)
	var restored AuthCodeFlow
	if err := json.Unmarshal(raw, &restored); err != nil {
		t.Fatal(err)
	}
	params := browserResponse(t, e, flow.AuthURI, alice, "demo-alice")
	got, err := e.client.AcquireTokenByAuthCodeFlow(ctx, restored, params, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Account.Username != alice || got.Account.AccountSource != "authorization_code" {
		t.Errorf("result %v", got)
	}
	accounts, _ := e.client.Accounts(ctx)
	if len(accounts) != 1 || accounts[0].HomeAccountID != got.Account.HomeAccountID {
		t.Errorf("accounts %+v", accounts)
	}
}

func TestAuthCodeFlowRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	newFlow := func() AuthCodeFlow {
		flow, err := e.client.InitiateAuthCodeFlow(ctx, graph, WithRedirectURI(redirect))
		if err != nil {
			t.Fatal(err)
		}
		return flow
	}
	tests := []struct {
		name    string
		run     func() error
		wantErr func(error) bool
	}{
		{"state mismatch", func() error {
			flow := newFlow()
			params := browserResponse(t, e, flow.AuthURI, alice, "demo-alice")
			params.Set("state", "forged")
			_, err := e.client.AcquireTokenByAuthCodeFlow(ctx, flow, params, nil)
			return err
		}, func(err error) bool { return errors.Is(err, ErrStateMismatch) }},
		{"state missing from the response", func() error {
			flow := newFlow()
			params := browserResponse(t, e, flow.AuthURI, alice, "demo-alice")
			params.Del("state")
			_, err := e.client.AcquireTokenByAuthCodeFlow(ctx, flow, params, nil)
			return err
		}, func(err error) bool { return errors.Is(err, ErrStateMismatch) }},
		{"state missing from the flow", func() error {
			flow := newFlow()
			flow.State = ""
			_, err := e.client.AcquireTokenByAuthCodeFlow(ctx, flow, url.Values{"code": {"x"}}, nil)
			return err
		}, func(err error) bool { return errors.Is(err, ErrStateMismatch) }},
		{"error response", func() error {
			flow := newFlow()
			resp, err := idptest.NewBrowser(e.srv.Client()).Cancel(ctx, flow.AuthURI)
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.client.AcquireTokenByAuthCodeFlow(ctx, flow, resp.Params, nil)
			return err
		}, func(err error) bool {
			var ie *Error
			return errors.As(err, &ie) && ie.Code == "access_denied" && errors.Is(err, ErrDeclined) && strings.HasPrefix(ie.Description, "AADSTS65004")
		}},
		{"nonce mismatch", func() error {
			flow := newFlow()
			params := browserResponse(t, e, flow.AuthURI, alice, "demo-alice")
			flow.Nonce = "another"
			_, err := e.client.AcquireTokenByAuthCodeFlow(ctx, flow, params, nil)
			return err
		}, func(err error) bool { return errors.Is(err, ErrNonceMismatch) }},
		{"scopes outside the flow", func() error {
			flow := newFlow()
			params := browserResponse(t, e, flow.AuthURI, alice, "demo-alice")
			_, err := e.client.AcquireTokenByAuthCodeFlow(ctx, flow, params, []string{"https://management.core.windows.net//.default"})
			return err
		}, func(err error) bool { return err != nil && strings.Contains(err.Error(), "not all in the flow") }},
		{"no redirect URI", func() error {
			_, err := e.client.InitiateAuthCodeFlow(ctx, graph)
			return err
		}, func(err error) bool { return err != nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); !tt.wantErr(err) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestLegacyAuthorizationCode(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	authURL, err := e.client.AuthorizationRequestURL(ctx, graph, WithRedirectURI(redirect), WithState("s1"), WithPrompt("login"), WithDomainHint("contoso.example"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(authURL, "code_challenge") || !strings.Contains(authURL, "prompt=login") {
		t.Errorf("url %s", authURL)
	}
	params := browserResponse(t, e, authURL, alice, "demo-alice")
	got, err := e.client.AcquireTokenByAuthorizationCode(ctx, params.Get("code"), graph, redirect, "")
	if err != nil || got.Account.Username != alice {
		t.Fatalf("%v %v", got, err)
	}
	_, err = e.client.AcquireTokenByAuthorizationCode(ctx, params.Get("code"), graph, redirect, "")
	var ie *Error
	if !errors.As(err, &ie) || !ie.HasCode(54005) {
		t.Errorf("reused code: %v", err)
	}
}

// TestConfidentialClientSendsItsSecret: a web app's code redemption carries
// its secret; a wrong secret is refused with AADSTS7000215.
func TestConfidentialClientSendsItsSecret(t *testing.T) {
	srv := idptest.Start(t, idptest.Options{TLS: true})
	for _, tt := range []struct {
		secret Secret
		ok     bool
	}{{idptest.ConfidentialSecret, true}, {"wrong-secret", false}} {
		e := newEnvFor(t, srv, NewMemoryStore(nil), func(c *Config) {
			c.ClientID = idptest.ConfidentialClientID
			c.ClientSecret = tt.secret
			c.Authority = srv.Authority("contoso")
		})
		flow, err := e.client.InitiateAuthCodeFlow(context.Background(), graph, WithRedirectURI(idptest.ConfidentialRedirectURI))
		if err != nil {
			t.Fatal(err)
		}
		params := browserResponse(t, e, flow.AuthURI, alice, "demo-alice")
		got, err := e.client.AcquireTokenByAuthCodeFlow(context.Background(), flow, params, nil)
		var ie *Error
		switch {
		case tt.ok && (err != nil || got.Account.Username != alice):
			t.Errorf("with the secret: %v %v", got, err)
		case !tt.ok && (!errors.As(err, &ie) || !ie.HasCode(7000215) || strings.Contains(err.Error(), "wrong-secret")):
			t.Errorf("with a wrong secret: %v", err)
		}
	}
}
