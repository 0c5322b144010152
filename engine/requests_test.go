package engine

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"acctui/engine/cache"
	"acctui/engine/idptest"
)

// TestResetAfterSendIsNotResent: a connection reset after the request was
// written may come after the server acted on it (a code redeemed, a refresh
// token rotated), so the engine reports it instead of sending it again.
func TestResetAfterSendIsNotResent(t *testing.T) {
	e := newEnv(t)
	first := e.signIn(t, alice, "demo-alice")
	e.srv.InjectFault(idptest.Fault{Endpoint: idptest.EndpointToken, Kind: idptest.FaultDrop})
	e.srv.ResetRequests()
	_, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh())
	var ne *NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("a reset after sending: %v", err)
	}
	if n := settledCount(e, 1); n != 1 {
		t.Errorf("%d token requests after a reset, want 1 (no resend)", n)
	}
}

// TestConnectFailureIsRetriedOnce: a connection that could not be made
// carried no request, so one retry is safe.
func TestConnectFailureIsRetriedOnce(t *testing.T) {
	for _, failures := range []int{1, 2} {
		srv := idptest.Start(t, idptest.Options{TLS: true})
		var dials atomic.Int32
		base := srv.Client().Transport.(*http.Transport).Clone()
		dialer := &net.Dialer{}
		base.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			if int(dials.Add(1)) <= failures {
				return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connect: connection refused")}
			}
			return dialer.DialContext(ctx, network, addr)
		}
		base.DisableKeepAlives = true
		e := newEnvFor(t, srv, NewMemoryStore(nil), func(c *Config) { c.HTTPClient = &http.Client{Transport: base} })
		_, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, alice, "demo-alice")
		switch failures {
		case 1:
			if err != nil {
				t.Errorf("one refused connection is retried: %v", err)
			}
		case 2:
			var ne *NetworkError
			if !errors.As(err, &ne) || int(dials.Load()) != 2 {
				t.Errorf("two refused connections: %v after %d dials", err, dials.Load())
			}
		}
	}
}

// TestOneCorrelationIDPerSilentCall: every refresh token a silent call
// tries carries the same client-request-id, as MSAL sends them.
func TestOneCorrelationIDPerSilentCall(t *testing.T) {
	e := newEnv(t)
	first := e.signIn(t, alice, "demo-alice")
	// a second, newer refresh token of the app that the server refuses,
	// tried before the good one
	store := e.store
	err := store.Write(context.Background(), CacheHint{}, func(cc *cache.Cache) error {
		rts := cc.FindRefreshTokens(cache.RefreshTokenQuery{HomeAccountID: first.Account.HomeAccountID})
		if len(rts) != 1 {
			t.Fatalf("%d refresh tokens", len(rts))
		}
		bad := rts[0]
		bad.Secret = "not-a-refresh-token"
		bad.Target = "https://example.invalid/.default"
		return cc.SaveRefreshToken(bad, e.clock.Now().Unix()+10)
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := &headerRecorder{next: e.srv.Client().Transport}
	e.client.http = noRedirects(&http.Client{Transport: rec})
	e.srv.ResetRequests()
	if _, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh()); err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, h := range rec.seen {
		ids[h.Get("client-request-id")] = true
	}
	if n := e.tokenCalls("refresh_token"); n != 2 || len(ids) != 1 {
		t.Errorf("%d refresh attempts with %d correlation ids, want 2 attempts and 1 id", n, len(ids))
	}
}

// TestAuthorizationURLAsksForClientInfo: the authorization request carries
// client_info=1 so the redirect names the home account.
func TestAuthorizationURLAsksForClientInfo(t *testing.T) {
	e := newEnv(t)
	for name, build := range map[string]func() (string, error){
		"flow": func() (string, error) {
			f, err := e.client.InitiateAuthCodeFlow(context.Background(), graph, WithRedirectURI("http://localhost:8400"))
			return f.AuthURI, err
		},
		"legacy": func() (string, error) {
			return e.client.AuthorizationRequestURL(context.Background(), graph, WithRedirectURI("http://localhost:8400"))
		},
	} {
		raw, err := build()
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(raw)
		if got := u.Query().Get("client_info"); got != "1" {
			t.Errorf("%s: client_info=%q in %s", name, got, redactURL(raw))
		}
	}
}
