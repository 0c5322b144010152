package engine

import (
	"context"
	"errors"
	"testing"
	"time"

	"acctui/engine/idptest"
)

// TestServerErrorWithoutRetryAfterThrottles: a 5xx that names no wait
// still holds the same request back for MSAL's default minute, in this
// client and in another one sharing the cache (another process).
func TestServerErrorWithoutRetryAfterThrottles(t *testing.T) {
	for _, status := range []int{500, 502, 503} {
		e := newEnv(t)
		first := e.signIn(t, alice, "demo-alice")
		e.srv.InjectFault(idptest.Fault{Endpoint: idptest.EndpointToken, Kind: idptest.FaultStatus, Status: status})
		e.srv.ResetRequests()
		_, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh())
		var ie *Error
		if !errors.As(err, &ie) || ie.HTTPStatus != status || ie.RetryAfter != 0 {
			t.Fatalf("%d: first answer %v", status, err)
		}
		other := newEnvFor(t, e.srv, e.store)
		for _, c := range []*Client{e.client, other.client} {
			_, err = c.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh())
			var te *ThrottledError
			if !errors.As(err, &te) || te.RetryAfter <= 0 || te.RetryAfter > defaultThrottleWait || !errors.As(err, &ie) || ie.HTTPStatus != status {
				t.Errorf("%d: inside the default wait: %v", status, err)
			}
		}
		if n := e.tokenCalls(""); n != 1 {
			t.Errorf("%d: %d token requests inside the wait, want 1", status, n)
		}
		e.srv.Advance(defaultThrottleWait + time.Second)
		if _, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh()); err != nil {
			t.Errorf("%d: after the wait: %v", status, err)
		}
	}
}

// TestBadRequestIsRememberedForAMinute: an identical request that got HTTP
// 400 is answered with the same refusal for 60 s without being sent, in
// this client and in another sharing the cache; force refresh does not
// bypass it (as in MSAL); a different request is sent.
func TestBadRequestIsRememberedForAMinute(t *testing.T) {
	e := newEnv(t)
	first := e.signIn(t, alice, "demo-alice")
	e.srv.RevokeRefreshTokens(alice)
	e.srv.ResetRequests()
	_, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh())
	var ie *Error
	if !errors.As(err, &ie) || ie.HTTPStatus != 400 || !ie.HasCode(50173) {
		t.Fatalf("first answer: %v", err)
	}
	other := newEnvFor(t, e.srv, e.store)
	for i, c := range []*Client{e.client, other.client} {
		_, err := c.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh())
		var again *Error
		if !errors.As(err, &again) || again.HTTPStatus != 400 || !again.HasCode(50173) || !IsInteractionRequired(err) {
			t.Errorf("client %d: the remembered answer: %v", i, err)
		}
	}
	if n := e.tokenCalls(""); n != 1 {
		t.Errorf("%d token requests for three identical calls inside 60 s, want 1", n)
	}
	// another request (other scopes) is sent
	if _, err := e.client.AcquireTokenSilent(context.Background(), []string{"https://management.core.windows.net//.default"}, first.Account); err == nil {
		t.Error("a revoked refresh token worked for other scopes")
	}
	if n := e.tokenCalls(""); n != 2 {
		t.Errorf("a different request was not sent: %d token requests", n)
	}
	e.srv.Advance(badRequestMemory + time.Second)
	e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh())
	if n := e.tokenCalls(""); n != 3 {
		t.Errorf("after 60 s the request is sent again: %d token requests", n)
	}
}

// TestBadPasswordIsRememberedInProcessOnly: a refused password is replayed
// for 60 s in the process, but nothing derived from the password is written
// to the shared cache.
func TestBadPasswordIsRememberedInProcessOnly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		_, err := e.client.AcquireTokenByUsernamePassword(ctx, graph, alice, "wrong")
		var ie *Error
		if !errors.As(err, &ie) || !ie.HasCode(50126) {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	if n := e.tokenCalls("password"); n != 1 {
		t.Errorf("%d password requests for two identical attempts, want 1", n)
	}
	other := newEnvFor(t, e.srv, e.store)
	other.client.AcquireTokenByUsernamePassword(ctx, graph, alice, "wrong")
	if n := e.tokenCalls("password"); n != 2 {
		t.Errorf("another process's password attempt: %d requests, want 2", n)
	}
	// the right password is another request
	if _, err := e.client.AcquireTokenByUsernamePassword(ctx, graph, alice, "demo-alice"); err != nil {
		t.Errorf("the right password: %v", err)
	}
}
