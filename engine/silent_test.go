package engine

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"acctui/engine/idptest"
)

func TestSilentFromCacheSendsNothing(t *testing.T) {
	e := newEnv(t)
	first := e.signIn(t, alice, "demo-alice")
	e.srv.ResetRequests()
	got, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account)
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != SourceCache || got.AccessToken != first.AccessToken || got.Account.Username != alice {
		t.Errorf("got %v", got)
	}
	if n := len(e.srv.Requests()); n != 0 {
		t.Errorf("a cache hit sent %d requests", n)
	}
	if got.IDTokenClaims["preferred_username"] != alice {
		t.Errorf("id token claims %v", got.IDTokenClaims)
	}
}

func TestSilentRefreshCases(t *testing.T) {
	tests := []struct {
		name string
		// prepare runs after alice signed in and before the silent call
		prepare    func(t *testing.T, e *env) []Option
		wantSource ResultSource
		wantCalls  int // refresh_token requests
		wantErr    func(error) bool
	}{
		{"expired access token refreshes", func(t *testing.T, e *env) []Option {
			e.srv.Advance(56 * time.Minute) // inside the 5-minute margin
			return nil
		}, SourceIdentityProvider, 1, nil},
		{"force refresh", func(t *testing.T, e *env) []Option {
			return []Option{WithForceRefresh()}
		}, SourceIdentityProvider, 1, nil},
		{"claims challenge skips the cache", func(t *testing.T, e *env) []Option {
			claims, err := e.srv.RequireClaimsChallenge(alice, false)
			if err != nil {
				t.Fatal(err)
			}
			return []Option{WithClaims(claims)}
		}, SourceIdentityProvider, 1, nil},
		{"revoked refresh token", func(t *testing.T, e *env) []Option {
			e.srv.RevokeRefreshTokens(alice)
			return []Option{WithForceRefresh()}
		}, "", 1, func(err error) bool {
			var ie *Error
			return errors.As(err, &ie) && ie.HasCode(50173) && IsInteractionRequired(err)
		}},
		{"claims required but not sent", func(t *testing.T, e *env) []Option {
			e.srv.RequireClaimsChallenge(alice, false)
			return []Option{WithForceRefresh()}
		}, "", 1, func(err error) bool {
			var ie *Error
			return errors.As(err, &ie) && ie.Claims != "" && IsInteractionRequired(err)
		}},
		{"another resource with the same refresh token", func(t *testing.T, e *env) []Option {
			return nil
		}, SourceIdentityProvider, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			first := e.signIn(t, alice, "demo-alice")
			opts := tt.prepare(t, e)
			e.srv.ResetRequests()
			scopes := graph
			if tt.name == "another resource with the same refresh token" {
				scopes = []string{"https://management.core.windows.net//.default"}
			}
			got, err := e.client.AcquireTokenSilent(context.Background(), scopes, first.Account, opts...)
			if n := e.tokenCalls("refresh_token"); n != tt.wantCalls {
				t.Errorf("%d refresh requests, want %d", n, tt.wantCalls)
			}
			if tt.wantErr != nil {
				if !tt.wantErr(err) {
					t.Fatalf("err = %v", err)
				}
				// the refresh token is never deleted on invalid_grant
				if c := e.store.Snapshot().Counts(); c.RefreshTokens != 1 {
					t.Errorf("refresh tokens after the refusal: %d", c.RefreshTokens)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Source != tt.wantSource || got.AccessToken == first.AccessToken {
				t.Errorf("got %v", got)
			}
			// the new token is now served from cache
			e.srv.ResetRequests()
			again, err := e.client.AcquireTokenSilent(context.Background(), scopes, first.Account)
			if err != nil || again.Source != SourceCache || again.AccessToken != got.AccessToken {
				t.Errorf("second call: %v %v", again, err)
			}
		})
	}
}

func TestRefreshOnFallsBackToTheValidToken(t *testing.T) {
	e := newEnv(t)
	e.srv.SetTokenLifetimes(alice, 4*time.Hour, 0)
	first := e.signIn(t, alice, "demo-alice")
	if first.RefreshOn.IsZero() || !first.RefreshOn.Before(first.ExpiresOn) {
		t.Fatalf("refresh_on %v expires %v", first.RefreshOn, first.ExpiresOn)
	}
	e.srv.Advance(2*time.Hour + time.Minute)
	e.srv.InjectFault(idptest.Fault{Endpoint: idptest.EndpointToken, Kind: idptest.FaultStatus, Status: 500})
	got, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account)
	if err != nil || got.AccessToken != first.AccessToken || got.Source != SourceCache {
		t.Fatalf("failed early refresh must serve the cached token: %v %v", got, err)
	}
	if n := e.tokenCalls("refresh_token"); n != 1 {
		t.Errorf("%d refresh attempts, want 1", n)
	}
	// the 500 throttles the same request for a minute, as in MSAL; the
	// cached token is served meanwhile
	got, err = e.client.AcquireTokenSilent(context.Background(), graph, first.Account)
	if err != nil || got.AccessToken != first.AccessToken || e.tokenCalls("refresh_token") != 1 {
		t.Fatalf("inside the 5xx wait: %v %v, %d refresh attempts", got, err, e.tokenCalls("refresh_token"))
	}
	e.srv.Advance(defaultThrottleWait + time.Second)
	got, err = e.client.AcquireTokenSilent(context.Background(), graph, first.Account)
	if err != nil || got.Source != SourceIdentityProvider || got.AccessToken == first.AccessToken {
		t.Fatalf("a working early refresh replaces the token: %v %v", got, err)
	}
}

func TestFamilyRefreshAcrossClients(t *testing.T) {
	e := newEnv(t)
	first := e.signIn(t, alice, "demo-alice")
	ps := newEnvFor(t, e.srv, e.store, func(c *Config) { c.ClientID = powershellID })
	e.srv.ResetRequests()
	got, err := ps.client.AcquireTokenSilent(context.Background(), graph, first.Account)
	if err != nil {
		t.Fatal(err)
	}
	log := e.srv.Requests()
	if len(log) != 1 || log[0].GrantType != "refresh_token" || log[0].ClientID != powershellID {
		t.Fatalf("want one family refresh by PowerShell, got %+v", log)
	}
	claims, _ := DecodeClaimsUnverified(got.AccessToken.Reveal())
	if claims.Claims["appid"] != powershellID { // Graph tokens are v1: appid, not azp
		t.Errorf("token appid %v", claims.Claims["appid"])
	}
}

func TestFamilyStopsOnClientMismatch(t *testing.T) {
	dir := idptest.DefaultDirectory()
	dir.Apps = append(dir.Apps, &idptest.App{ClientID: "a0a0a0a0-0000-4000-8000-000000000001", Name: "Outsider", Public: true})
	srv := idptest.Start(t, idptest.Options{TLS: true, Directory: dir})
	store := NewMemoryStore(nil)
	cli := newEnvFor(t, srv, store)
	first := cli.signIn(t, alice, "demo-alice")
	outsider := newEnvFor(t, srv, store, func(c *Config) { c.ClientID = "a0a0a0a0-0000-4000-8000-000000000001" })
	srv.ResetRequests()
	_, err := outsider.client.AcquireTokenSilent(context.Background(), graph, first.Account)
	var ie *Error
	if !errors.As(err, &ie) || ie.SubError != "client_mismatch" {
		t.Fatalf("err = %v", err)
	}
	if n := srv.CountRequests(idptest.EndpointToken, ""); n != 1 {
		t.Errorf("%d requests; the family search stops at client_mismatch", n)
	}
	if c := store.Snapshot().Counts(); c.RefreshTokens != 1 {
		t.Errorf("family tokens are never removed: %d", c.RefreshTokens)
	}
}

func TestSilentCacheMiss(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.AcquireTokenSilent(context.Background(), graph, Account{HomeAccountID: "nobody.nowhere"})
	if !errors.Is(err, ErrNoToken) || !IsInteractionRequired(err) {
		t.Errorf("err = %v", err)
	}
	if _, err := e.client.AcquireTokenSilent(context.Background(), graph, Account{}); !errors.Is(err, ErrNoAccount) {
		t.Errorf("no account: %v", err)
	}
	if _, err := e.client.AcquireTokenSilent(context.Background(), []string{"openid"}, Account{HomeAccountID: "x"}); err == nil {
		t.Error("reserved scope accepted")
	}
}

func TestConcurrentSilentSendsOneRefresh(t *testing.T) {
	e := newEnv(t)
	first := e.signIn(t, alice, "demo-alice")
	e.srv.Advance(time.Hour)
	e.srv.InjectFault(idptest.Fault{Endpoint: idptest.EndpointToken, Kind: idptest.FaultDelay, DelayMillis: 200})
	e.srv.ResetRequests()
	var wg sync.WaitGroup
	tokens := make([]Secret, 100)
	errs := make([]error, 100)
	for i := range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account)
			tokens[i], errs[i] = r.AccessToken, err
		}()
	}
	wg.Wait()
	for i := range 100 {
		if errs[i] != nil || tokens[i] != tokens[0] {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
	}
	if n := e.tokenCalls(""); n != 1 {
		t.Errorf("100 concurrent callers sent %d token requests, want 1", n)
	}
}

func TestRetryAfterBlocksTheSameRequest(t *testing.T) {
	e := newEnv(t)
	first := e.signIn(t, alice, "demo-alice")
	e.srv.InjectFault(idptest.Fault{Endpoint: idptest.EndpointToken, Kind: idptest.FaultStatus, Status: 429, RetryAfterSeconds: 30, Count: 5})
	e.srv.ResetRequests()
	_, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh())
	var ie *Error
	if !errors.As(err, &ie) || ie.HTTPStatus != 429 || ie.RetryAfter != 30*time.Second {
		t.Fatalf("first answer: %v", err)
	}
	_, err = e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh())
	var te *ThrottledError
	if !errors.As(err, &te) || te.RetryAfter <= 0 || te.RetryAfter > 30*time.Second {
		t.Fatalf("inside the window: %v", err)
	}
	// a new client on the same cache (another process) honours it too
	other := newEnvFor(t, e.srv, e.store)
	if _, err := other.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh()); !errors.As(err, &te) {
		t.Fatalf("another client inside the window: %v", err)
	}
	if n := e.tokenCalls(""); n != 1 {
		t.Fatalf("%d token requests inside the Retry-After window, want 1", n)
	}
	e.srv.ClearFaults()
	e.srv.Advance(31 * time.Second)
	if _, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh()); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

func TestWarmStartSendsNoDiscovery(t *testing.T) {
	e := newEnv(t)
	first := e.signIn(t, alice, "demo-alice")
	if n := e.srv.CountRequests(idptest.EndpointOpenIDConfiguration, ""); n != 1 {
		t.Fatalf("cold start: %d discovery requests", n)
	}
	e.srv.ResetRequests()
	warm := newEnvFor(t, e.srv, e.store)
	if _, err := warm.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh()); err != nil {
		t.Fatal(err)
	}
	for _, rec := range e.srv.Requests() {
		if rec.Endpoint != idptest.EndpointToken {
			t.Errorf("warm start sent %s %s", rec.Method, rec.Path)
		}
	}
	e.srv.Advance(25 * time.Hour)
	e.srv.ResetRequests()
	stale := newEnvFor(t, e.srv, e.store)
	stale.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh())
	if n := e.srv.CountRequests(idptest.EndpointOpenIDConfiguration, ""); n != 1 {
		t.Errorf("after 24 h the metadata is fetched again: %d", n)
	}
}

func TestInstanceDiscovery(t *testing.T) {
	for _, disabled := range []bool{false, true} {
		e := newEnv(t, func(c *Config) { c.DisableInstanceDiscovery = disabled })
		e.signIn(t, alice, "demo-alice")
		want := 1
		if disabled {
			want = 0
		}
		if n := e.srv.CountRequests(idptest.EndpointInstanceDiscovery, ""); n != want {
			t.Errorf("disabled=%v: %d instance discovery requests, want %d", disabled, n, want)
		}
	}
}
