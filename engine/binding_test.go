package engine

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/engine/idptest"
)

const carol = "carol@contoso.example"

// otherUser signs carol in on the same emulator, in a cache of her own, and
// returns her result and refresh token: what a hostile answer swaps in.
func otherUser(t *testing.T, e *env) (Result, Secret) {
	t.Helper()
	other := newEnvFor(t, e.srv, NewMemoryStore(nil))
	r := other.signIn(t, carol, "demo-carol")
	rts := other.store.Snapshot().FindRefreshTokens(cache.RefreshTokenQuery{HomeAccountID: r.Account.HomeAccountID})
	if len(rts) == 0 {
		t.Fatal("carol has no refresh token")
	}
	return r, rts[0].Secret
}

func clientInfoFor(homeAccountID string) string {
	uid, utid, _ := strings.Cut(homeAccountID, ".")
	return base64.RawURLEncoding.EncodeToString([]byte(`{"uid":"` + uid + `","utid":"` + utid + `"}`))
}

func marshalled(t *testing.T, s *MemoryStore) string {
	t.Helper()
	data, err := s.Snapshot().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestTokensForAnotherAccountAreRefused: whatever path a refresh takes, an
// answer carrying another user's tokens is an AccountMismatchError, no
// token is returned and the cache is byte for byte as it was.
func TestTokensForAnotherAccountAreRefused(t *testing.T) {
	cases := []struct {
		name string
		// hostile edits the request or the answer
		hostile func(p *rewritingProxy, carolResult Result, carolRT Secret)
		call    func(e *env, acct Account) (Result, error)
	}{
		{"silent refresh answered for carol", swapRefreshToken, silentAfterExpiry},
		{"forced refresh answered for carol", swapRefreshToken, forcedRefresh},
		{"client_info of carol", func(p *rewritingProxy, c Result, _ Secret) {
			p.set(nil, func(body map[string]any) { body["client_info"] = clientInfoFor(c.Account.HomeAccountID) })
		}, forcedRefresh},
		{"id token of carol under alice's client_info", func(p *rewritingProxy, c Result, _ Secret) {
			p.set(nil, func(body map[string]any) { body["id_token"] = c.IDToken.Reveal() })
		}, forcedRefresh},
		{"carol's tokens without client_info", func(p *rewritingProxy, c Result, rt Secret) {
			p.set(func(form url.Values) { form.Set("refresh_token", rt.Reveal()) }, func(body map[string]any) { delete(body, "client_info") })
		}, forcedRefresh},
		{"no client_info and no id token", func(p *rewritingProxy, _ Result, _ Secret) {
			p.set(nil, func(body map[string]any) { delete(body, "client_info"); delete(body, "id_token") })
		}, forcedRefresh},
		{"family refresh by another app answered for carol", swapRefreshToken, func(e *env, acct Account) (Result, error) {
			ps := newEnvFor(t0(e), e.srv, e.store, func(c *Config) { c.ClientID = powershellID; c.HTTPClient = e.client.http })
			return ps.client.AcquireTokenSilent(context.Background(), graph, acct)
		}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			e, proxy := newProxiedEnv(t)
			first := e.signIn(t, alice, "demo-alice")
			carolResult, carolRT := otherUser(t, e)
			before := marshalled(t, e.store)
			tt.hostile(proxy, carolResult, carolRT)
			got, err := tt.call(e, first.Account)
			var mismatch *AccountMismatchError
			if !errors.As(err, &mismatch) || !errors.Is(err, ErrAccountMismatch) || mismatch.Want != first.Account.HomeAccountID {
				t.Fatalf("err = %v", err)
			}
			if !got.AccessToken.IsZero() {
				t.Error("a token came back with the error")
			}
			if msg := err.Error(); strings.Contains(msg, carolResult.AccessToken.Reveal()) || !strings.Contains(msg, "nothing was stored") {
				t.Errorf("error text %q", msg)
			}
			if after := marshalled(t, e.store); after != before {
				t.Error("the refused answer changed the cache")
			}
			// alice's own token is still what the cache serves
			proxy.set(nil, nil)
			again, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account)
			if err != nil || again.Account.HomeAccountID != first.Account.HomeAccountID {
				t.Errorf("afterwards: %v %v", again, err)
			}
		})
	}
}

func swapRefreshToken(p *rewritingProxy, _ Result, carolRT Secret) {
	p.set(func(form url.Values) {
		if form.Get("grant_type") == "refresh_token" {
			form.Set("refresh_token", carolRT.Reveal())
		}
	}, nil)
}

func silentAfterExpiry(e *env, acct Account) (Result, error) {
	e.srv.Advance(56 * time.Minute)
	return e.client.AcquireTokenSilent(context.Background(), graph, acct)
}

func forcedRefresh(e *env, acct Account) (Result, error) {
	return e.client.AcquireTokenSilent(context.Background(), graph, acct, WithForceRefresh())
}

// t0 is the test an env was made in, for helpers that build more envs.
func t0(e *env) *testing.T { return e.t }

// TestRefreshWithoutClientInfoIsCheckedByIDToken: an answer for alice that
// lacks client_info is still hers by her ID token's oid and tid, and is
// filed under her account.
func TestRefreshWithoutClientInfoIsCheckedByIDToken(t *testing.T) {
	e, proxy := newProxiedEnv(t)
	first := e.signIn(t, alice, "demo-alice")
	proxy.set(nil, func(body map[string]any) { delete(body, "client_info") })
	got, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh())
	if err != nil || got.Account.HomeAccountID != first.Account.HomeAccountID || got.AccessToken == first.AccessToken {
		t.Fatalf("%v %v", got, err)
	}
	if c := e.store.Snapshot().Counts(); c.Accounts != 1 || c.AccessTokens != 1 {
		t.Errorf("cache %+v", c)
	}
}

// TestSignInWithoutClientInfoMakesAVisibleAccount: a new sign-in answered
// without client_info gets its home account id from the ID token (sub, as
// MSAL Python derives it), so the account can be listed and removed and no
// secret is left without an account.
func TestSignInWithoutClientInfoMakesAVisibleAccount(t *testing.T) {
	e, proxy := newProxiedEnv(t)
	proxy.set(nil, func(body map[string]any) { delete(body, "client_info") })
	got := e.signIn(t, alice, "demo-alice")
	sub, _ := got.IDTokenClaims["sub"].(string)
	if sub == "" || got.Account.HomeAccountID != sub {
		t.Fatalf("home account %q, sub %q", got.Account.HomeAccountID, sub)
	}
	accounts, err := e.client.Accounts(context.Background())
	if err != nil || len(accounts) != 1 || accounts[0].Username != alice || accounts[0].HomeAccountID != sub {
		t.Fatalf("accounts %+v %v", accounts, err)
	}
	// a refresh for it, now with client_info, stays under the same
	// account; removing it leaves no secret behind
	proxy.set(nil, nil)
	if r, err := e.client.AcquireTokenSilent(context.Background(), graph, accounts[0], WithForceRefresh()); err != nil || r.Account.HomeAccountID != sub {
		t.Errorf("silent: %v %v", r, err)
	}
	if c := e.store.Snapshot().Counts(); c.Accounts != 1 || c.AccessTokens != 1 {
		t.Errorf("after the refresh %+v", c)
	}
	if err := e.client.RemoveAccount(context.Background(), accounts[0]); err != nil {
		t.Fatal(err)
	}
	if c := e.store.Snapshot().Counts(); c.AccessTokens+c.RefreshTokens+c.IDTokens+c.Accounts != 0 {
		t.Errorf("left after removal: %+v", c)
	}
}

// TestSignInNamingNoAccountStoresNothing: an answer with neither
// client_info nor an ID token cannot be filed under any account, so it is
// refused rather than kept as secrets nobody can remove.
func TestSignInNamingNoAccountStoresNothing(t *testing.T) {
	e, proxy := newProxiedEnv(t)
	proxy.set(nil, func(body map[string]any) { delete(body, "client_info"); delete(body, "id_token") })
	_, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, alice, "demo-alice")
	var mismatch *AccountMismatchError
	if !errors.As(err, &mismatch) {
		t.Fatalf("err = %v", err)
	}
	if c := e.store.Snapshot().Counts(); c.AccessTokens+c.RefreshTokens+c.IDTokens+c.Accounts != 0 {
		t.Errorf("stored %+v", c)
	}
}

// TestReauthenticationIsBoundToTheExpectedAccount: a sign-in made to renew
// alice (WithExpectedAccount) that ends as carol fails and stores nothing;
// the same sign-in as alice works.
func TestReauthenticationIsBoundToTheExpectedAccount(t *testing.T) {
	ctx := context.Background()
	t.Run("password", func(t *testing.T) {
		e := newEnv(t)
		first := e.signIn(t, alice, "demo-alice")
		before := marshalled(t, e.store)
		_, err := e.client.AcquireTokenByUsernamePassword(ctx, graph, carol, "demo-carol", WithExpectedAccount(first.Account))
		if !errors.Is(err, ErrAccountMismatch) {
			t.Fatalf("err = %v", err)
		}
		if marshalled(t, e.store) != before {
			t.Error("the refused sign-in changed the cache")
		}
		if _, err := e.client.AcquireTokenByUsernamePassword(ctx, graph, alice, "demo-alice", WithExpectedAccount(first.Account)); err != nil {
			t.Errorf("alice again: %v", err)
		}
	})
	t.Run("device code", func(t *testing.T) {
		e := newEnv(t)
		first := e.signIn(t, alice, "demo-alice")
		before := marshalled(t, e.store)
		dc, err := e.client.InitiateDeviceFlow(ctx, graph, WithExpectedAccount(first.Account))
		if err != nil {
			t.Fatal(err)
		}
		e.client.sleepHook = func(ctx context.Context, d time.Duration) error {
			e.srv.Advance(d)
			return e.srv.ApproveDeviceCode(dc.UserCode, carol)
		}
		_, err = e.client.AcquireTokenByDeviceFlow(ctx, dc)
		if !errors.Is(err, ErrAccountMismatch) {
			t.Fatalf("err = %v", err)
		}
		if marshalled(t, e.store) != before {
			t.Error("the refused sign-in changed the cache")
		}
	})
	t.Run("browser by username", func(t *testing.T) {
		e := newEnv(t)
		e.signIn(t, alice, "demo-alice")
		before := marshalled(t, e.store)
		_, err := e.client.AcquireTokenInteractive(ctx, graph, WithExpectedUsername(alice), WithTimeout(10*time.Second),
			WithOpenURL(func(authURL string) error {
				if u, _ := url.Parse(authURL); u.Query().Get("login_hint") != alice {
					t.Errorf("no login hint in %s", redactURL(authURL))
				}
				go func() {
					resp, err := idptest.NewBrowser(e.srv.Client()).SignIn(ctx, authURL, carol, "demo-carol")
					if err == nil {
						_, _, err = idptest.NewBrowser(e.srv.Client()).Deliver(ctx, resp)
					}
					if err != nil {
						t.Error(err)
					}
				}()
				return nil
			}))
		var mismatch *AccountMismatchError
		if !errors.As(err, &mismatch) || mismatch.Want != alice || mismatch.Got != carol {
			t.Fatalf("err = %v", err)
		}
		if marshalled(t, e.store) != before {
			t.Error("the refused sign-in changed the cache")
		}
	})
	t.Run("auth code flow", func(t *testing.T) {
		e := newEnv(t)
		first := e.signIn(t, alice, "demo-alice")
		flow, err := e.client.InitiateAuthCodeFlow(ctx, graph, WithRedirectURI("http://localhost:8400"), WithExpectedAccount(first.Account))
		if err != nil {
			t.Fatal(err)
		}
		if u, _ := url.Parse(flow.AuthURI); u.Query().Get("login_hint") != alice {
			t.Errorf("the expected account is not the login hint: %s", redactURL(flow.AuthURI))
		}
		before := marshalled(t, e.store)
		resp, err := idptest.NewBrowser(e.srv.Client()).SignIn(ctx, flow.AuthURI, carol, "demo-carol")
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.client.AcquireTokenByAuthCodeFlow(ctx, flow, resp.Params, nil)
		if !errors.Is(err, ErrAccountMismatch) {
			t.Fatalf("err = %v", err)
		}
		if marshalled(t, e.store) != before {
			t.Error("the refused sign-in changed the cache")
		}
	})
}
