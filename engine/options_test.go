package engine

import (
	"context"
	"errors"
	"strings"
	"testing"

	"acctui/engine/idptest"
)

// TestOptionsACallDoesNotReadAreRefused: an option a call would ignore is
// an error naming the call and the option, before any request is sent.
func TestOptionsACallDoesNotReadAreRefused(t *testing.T) {
	e := newEnv(t)
	acct := e.signIn(t, alice, "demo-alice").Account
	before := len(e.srv.Requests())
	ctx := context.Background()
	calls := map[string]func() error{
		"AcquireTokenSilent WithPort": func() error {
			_, err := e.client.AcquireTokenSilent(ctx, graph, acct, WithPort(8400))
			return err
		},
		"Accounts WithPrompt": func() error {
			_, err := e.client.Accounts(ctx, WithPrompt("login"))
			return err
		},
		"AcquireTokenByUsernamePassword WithOpenURL": func() error {
			_, err := e.client.AcquireTokenByUsernamePassword(ctx, graph, alice, Secret("demo-alice"), WithOpenURL(func(string) error { return nil }))
			return err
		},
		"InitiateDeviceFlow WithForceRefresh, WithTimeout": func() error {
			_, err := e.client.InitiateDeviceFlow(ctx, graph, WithForceRefresh(), WithTimeout(1))
			return err
		},
		"InitiateAuthCodeFlow WithPort": func() error {
			_, err := e.client.InitiateAuthCodeFlow(ctx, graph, WithRedirectURI("http://localhost"), WithPort(1))
			return err
		},
		"AuthorizationRequestURL WithExpectedUsername": func() error {
			_, err := e.client.AuthorizationRequestURL(ctx, graph, WithRedirectURI("http://localhost"), WithExpectedUsername(alice))
			return err
		},
		"AcquireTokenInteractive WithForceRefresh": func() error {
			_, err := e.client.AcquireTokenInteractive(ctx, graph, WithForceRefresh(), WithOpenURL(func(string) error { return nil }))
			return err
		},
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, ErrOptionNotRead) {
			t.Errorf("%s: %v, want ErrOptionNotRead", name, err)
			continue
		}
		callName, options, _ := strings.Cut(name, " ")
		if !strings.Contains(err.Error(), callName+" does not read "+options) {
			t.Errorf("%s: %q does not name the call and the options", name, err)
		}
	}
	if after := len(e.srv.Requests()); after != before {
		t.Errorf("%d requests were sent by calls with options they do not read", after-before)
	}

	// The options a call does read still work.
	if _, err := e.client.AcquireTokenSilent(ctx, graph, acct, WithForceRefresh(), WithCorrelationID("c0ffee00-0000-4000-8000-000000000000")); err != nil {
		t.Errorf("silent with its own options: %v", err)
	}
	if accts, err := e.client.Accounts(ctx, WithUsername("ALICE@contoso.example")); err != nil || len(accts) != 1 {
		t.Errorf("Accounts WithUsername: %v, %v", accts, err)
	}
}

// TestWithAuthoritySendsThatTenant: a call's own authority replaces the
// client's for that call only.
func TestWithAuthoritySendsThatTenant(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tenant := e.srv.Authority(idptest.ContosoTenantID)
	if _, err := e.client.AcquireTokenByUsernamePassword(ctx, graph, alice, Secret("demo-alice"), WithAuthority(tenant)); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, r := range e.srv.Requests() {
		if r.Endpoint == idptest.EndpointToken {
			paths = append(paths, r.Path)
		}
	}
	if len(paths) != 1 || !strings.Contains(paths[0], "/"+idptest.ContosoTenantID+"/") {
		t.Errorf("token requests went to %v, want the tenant %s", paths, idptest.ContosoTenantID)
	}
	if _, err := e.client.AcquireTokenByUsernamePassword(ctx, graph, alice, Secret("demo-alice"), WithAuthority("http://example.com/x")); err == nil {
		t.Error("a plain-http authority off loopback was accepted")
	}
}

// TestWithResponseModeInTheAuthorizationURL: form_post is asked for in
// the URL; the interactive sign-in, which reads the query, never sends it.
func TestWithResponseModeInTheAuthorizationURL(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	u, err := e.client.AuthorizationRequestURL(ctx, graph, WithRedirectURI("http://localhost:8400"), WithResponseMode("form_post"))
	if err != nil || !strings.Contains(u, "response_mode=form_post") {
		t.Errorf("AuthorizationRequestURL with form_post: %q, %v", u, err)
	}
	flow, err := e.client.InitiateAuthCodeFlow(ctx, graph, WithRedirectURI("http://localhost:8400"), WithResponseMode("form_post"))
	if err != nil || !strings.Contains(flow.AuthURI, "response_mode=form_post") {
		t.Errorf("InitiateAuthCodeFlow with form_post: %q, %v", flow.AuthURI, err)
	}
}
