package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/engine/idptest"
)

func TestUsernamePassword(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	got := e.signIn(t, alice, "demo-alice")
	claims := got.IDTokenClaims
	wantHome := claims["oid"].(string) + "." + idptest.ContosoTenantID
	if got.Account.HomeAccountID != wantHome || got.Account.AccountSource != "password" || got.Account.Realm != "organizations" {
		t.Errorf("account %+v", got.Account)
	}
	if n := e.srv.CountRequests(idptest.EndpointUserRealm, ""); n != 1 {
		t.Errorf("user realm discovery: %d requests", n)
	}
	cases := []struct {
		name     string
		user     string
		password string
		check    func(error) bool
	}{
		{"bad password", alice, "wrong", func(err error) bool {
			var ie *Error
			return errors.As(err, &ie) && ie.HasCode(50126) && ie.Code == "invalid_grant" && strings.HasPrefix(err.Error(), "AADSTS50126: Error validating credentials")
		}},
		{"MFA required", "bob@contoso.example", "demo-bob", func(err error) bool {
			var ie *Error
			return errors.As(err, &ie) && ie.HasCode(50076) && ie.Claims != "" && IsInteractionRequired(err) && ie.CorrelationID != "" && ie.TraceID != ""
		}},
		{"unknown user", "nobody@contoso.example", "x", func(err error) bool {
			var ie *Error
			return errors.As(err, &ie) && ie.HasCode(50034)
		}},
		{"empty password", alice, "", func(err error) bool { return err != nil }},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.client.AcquireTokenByUsernamePassword(ctx, graph, tt.user, Secret(tt.password))
			if !tt.check(err) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestDeviceFlow(t *testing.T) {
	ctx := context.Background()
	t.Run("approved", func(t *testing.T) {
		e := newEnv(t)
		dc, err := e.client.InitiateDeviceFlow(ctx, graph)
		if err != nil {
			t.Fatal(err)
		}
		if dc.Interval != time.Second || !strings.Contains(dc.Message, dc.UserCode) || !strings.HasSuffix(dc.VerificationURI, "/devicelogin") {
			t.Errorf("device code %v", dc)
		}
		polls := 0
		e.client.sleepHook = func(ctx context.Context, d time.Duration) error {
			polls++
			if polls > 10 {
				return errors.New("too many polls")
			}
			e.srv.Advance(d) // the wait, on the shared clock
			if polls == 2 {
				return e.srv.ApproveDeviceCode(dc.UserCode, "carol@contoso.example")
			}
			return nil
		}
		got, err := e.client.AcquireTokenByDeviceFlow(ctx, dc)
		if err != nil || got.Account.Username != "carol@contoso.example" || got.Account.AccountSource != "urn:ietf:params:oauth:grant-type:device_code" {
			t.Fatalf("%v %v", got, err)
		}
		if n := e.tokenCalls("urn:ietf:params:oauth:grant-type:device_code"); n != 3 {
			t.Errorf("%d polls, want 3", n)
		}
	})
	t.Run("slow_down adds five seconds", func(t *testing.T) {
		e := newEnv(t)
		dc, _ := e.client.InitiateDeviceFlow(ctx, graph)
		var waits []time.Duration
		e.client.sleepHook = func(ctx context.Context, d time.Duration) error {
			waits = append(waits, d)
			switch len(waits) {
			case 1: // poll again at once: the emulator answers slow_down
			case 2:
				e.srv.Advance(d)
				return e.srv.ApproveDeviceCode(dc.UserCode, alice)
			default:
				return errors.New("too many polls")
			}
			return nil
		}
		if _, err := e.client.AcquireTokenByDeviceFlow(ctx, dc); err != nil {
			t.Fatal(err)
		}
		if len(waits) != 2 || waits[0] != time.Second || waits[1] != 6*time.Second {
			t.Errorf("waits %.10v, want [1s 6s]", waits)
		}
	})
	endings := []struct {
		name    string
		act     func(e *env, dc DeviceCode, cancel context.CancelFunc) error
		wantErr func(error) bool
	}{
		{"declined", func(e *env, dc DeviceCode, _ context.CancelFunc) error { return e.srv.DeclineDeviceCode(dc.UserCode) },
			func(err error) bool { return errors.Is(err, ErrDeclined) }},
		{"expired on the server", func(e *env, dc DeviceCode, _ context.CancelFunc) error {
			e.srv.Advance(14*time.Minute + 59*time.Second)
			e.srv.Advance(2 * time.Second)
			return nil
		}, func(err error) bool { return errors.Is(err, ErrDeviceCodeExpired) }},
		{"cancelled", func(e *env, dc DeviceCode, cancel context.CancelFunc) error { cancel(); return nil },
			func(err error) bool { return errors.Is(err, context.Canceled) }},
	}
	for _, tt := range endings {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			dc, _ := e.client.InitiateDeviceFlow(ctx, graph)
			e.client.sleepHook = func(ctx context.Context, d time.Duration) error {
				if err := tt.act(e, dc, cancel); err != nil {
					return err
				}
				return ctx.Err()
			}
			_, err := e.client.AcquireTokenByDeviceFlow(ctx, dc)
			if !tt.wantErr(err) {
				t.Errorf("err = %v", err)
			}
		})
	}
	t.Run("expired on the client clock", func(t *testing.T) {
		e := newEnv(t)
		dc, _ := e.client.InitiateDeviceFlow(ctx, graph)
		dc.ExpiresOn = e.srv.Now().Add(-time.Second)
		if _, err := e.client.AcquireTokenByDeviceFlow(ctx, dc); !errors.Is(err, ErrDeviceCodeExpired) {
			t.Errorf("err = %v", err)
		}
	})
}

func TestRefreshTokenImport(t *testing.T) {
	srv := idptest.Start(t, idptest.Options{TLS: true})
	elsewhere := newEnvFor(t, srv, NewMemoryStore(nil))
	elsewhere.signIn(t, "dave@fabrikam.example", "demo-dave")
	var rt Secret
	elsewhere.store.Read(context.Background(), CacheHint{}, func(cc *cache.Cache) error {
		rt = cc.FindRefreshTokens(cache.RefreshTokenQuery{HomeAccountID: cc.Accounts()[0].HomeAccountID})[0].Secret
		return nil
	})
	e := newEnvFor(t, srv, NewMemoryStore(nil))
	got, err := e.client.AcquireTokenByRefreshToken(context.Background(), rt, graph)
	if err != nil {
		t.Fatal(err)
	}
	accounts, _ := e.client.Accounts(context.Background())
	if len(accounts) != 1 || accounts[0].Username != "dave@fabrikam.example" || accounts[0].HomeAccountID != got.Account.HomeAccountID {
		t.Fatalf("accounts %+v", accounts)
	}
	silent, err := e.client.AcquireTokenSilent(context.Background(), graph, accounts[0])
	if err != nil || silent.Source != SourceCache {
		t.Errorf("silent after import: %v %v", silent, err)
	}
	if _, err := e.client.AcquireTokenByRefreshToken(context.Background(), "garbage", graph); err == nil {
		t.Error("garbage refresh token accepted")
	}
}

func TestAccountsAndRemove(t *testing.T) {
	srv := idptest.Start(t, idptest.Options{TLS: true})
	store := NewMemoryStore(nil)
	orgs := newEnvFor(t, srv, store)
	contoso := newEnvFor(t, srv, store, func(c *Config) { c.Authority = srv.Authority("contoso") })
	ps := newEnvFor(t, srv, store, func(c *Config) { c.ClientID = powershellID })
	ctx := context.Background()
	a := orgs.signIn(t, alice, "demo-alice")
	contoso.signIn(t, alice, "demo-alice")
	orgs.signIn(t, "dave@fabrikam.example", "demo-dave")
	ps.signIn(t, "carol@contoso.example", "demo-carol")

	all, err := orgs.client.Accounts(ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("accounts %+v %v", all, err)
	}
	if all[0].Username != alice || len(all[0].Realms) != 2 || all[0].Realm != idptest.ContosoTenantID {
		t.Errorf("alice across two realms: %+v", all[0])
	}
	filtered, _ := orgs.client.Accounts(ctx, WithUsername("ALICE@Contoso.Example"))
	if len(filtered) != 1 || filtered[0].HomeAccountID != a.Account.HomeAccountID {
		t.Errorf("filter: %+v", filtered)
	}

	// a non-family app's refresh token must survive the CLI's removal
	outsiderRT := cache.RefreshToken{HomeAccountID: a.Account.HomeAccountID, Environment: "127.0.0.1", ClientID: "other-app", Target: "x", Secret: "rt-of-another-app"}
	store.Write(ctx, CacheHint{}, func(cc *cache.Cache) error { return cc.SaveRefreshToken(outsiderRT, 1) })
	if err := orgs.client.RemoveAccount(ctx, all[0]); err != nil {
		t.Fatal(err)
	}
	left, _ := orgs.client.Accounts(ctx)
	if len(left) != 2 {
		t.Errorf("after removal: %+v", left)
	}
	snap := store.Snapshot()
	rts := snap.FindRefreshTokens(cache.RefreshTokenQuery{HomeAccountID: a.Account.HomeAccountID})
	if len(rts) != 1 || rts[0].ClientID != "other-app" {
		t.Errorf("remaining refresh tokens of alice: %+v", rts)
	}
	if ats := snap.FindAccessTokens(cache.AccessTokenQuery{HomeAccountID: a.Account.HomeAccountID}); len(ats) != 0 {
		t.Errorf("access tokens left: %d", len(ats))
	}
	if _, err := orgs.client.AcquireTokenSilent(ctx, graph, all[0]); !IsInteractionRequired(err) {
		t.Errorf("silent after removal: %v", err)
	}
	if orgs.client.IsPoPSupported() {
		t.Error("PoP needs a broker")
	}
}

// TestDomainAuthorityCachesUnderTheTenantID: MSAL Python files tokens under
// the tenant segment of the token endpoint, which for a domain authority
// is the directory's id; asking by domain or by id must find the same
// entries.
func TestDomainAuthorityCachesUnderTheTenantID(t *testing.T) {
	srv := idptest.Start(t, idptest.Options{TLS: true})
	store := NewMemoryStore(nil)
	byDomain := newEnvFor(t, srv, store, func(c *Config) { c.Authority = srv.URL() + "/fabrikam.example" })
	got := byDomain.signIn(t, "dave@fabrikam.example", "demo-dave")
	if got.Account.Realm != idptest.FabrikamTenantID {
		t.Errorf("realm %q, want the tenant id", got.Account.Realm)
	}
	for _, at := range store.Snapshot().FindAccessTokens(cache.AccessTokenQuery{HomeAccountID: got.Account.HomeAccountID}) {
		if at.Realm != idptest.FabrikamTenantID {
			t.Errorf("access token realm %q", at.Realm)
		}
	}
	byID := newEnvFor(t, srv, store, func(c *Config) { c.Authority = srv.Authority("fabrikam") })
	srv.ResetRequests()
	for _, client := range []*Client{byID.client, byDomain.client} {
		r, err := client.AcquireTokenSilent(context.Background(), graph, got.Account)
		if err != nil || r.Source != SourceCache {
			t.Errorf("silent: %v %v", r, err)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests for a cached token", n)
	}
}

func TestUsernameWithControlCharactersIsRefusedBeforeAnyRequest(t *testing.T) {
	e := newEnv(t)
	for _, user := range []string{
		"alice@contoso.example\n", "alice\x1b]52;c;ZXZpbA==\x07@contoso.example", "al\u202eice@contoso.example",
		"alice\x00@contoso.example", "alice\u0085@contoso.example", "\xffalice@contoso.example", strings.Repeat("a", 300) + "@contoso.example",
	} {
		_, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, user, "demo-alice")
		if !errors.Is(err, ErrInvalidUsername) || !strings.Contains(err.Error(), "invalid username") {
			t.Errorf("%q: %v", user, err)
		}
	}
	for _, opt := range []Option{WithLoginHint("alice\x1b[2J@contoso.example"), WithExpectedUsername("alice\n@contoso.example")} {
		if _, err := e.client.InitiateAuthCodeFlow(context.Background(), graph, WithRedirectURI("http://localhost:8400"), opt); !errors.Is(err, ErrInvalidUsername) {
			t.Errorf("login hint with control characters: %v", err)
		}
	}
	if n := len(e.srv.Requests()); n != 0 {
		t.Errorf("%d requests for invalid usernames", n)
	}
	if err := CheckUsername("Alice.O'Neil+tag@contoso.example"); err != nil {
		t.Errorf("a plain username: %v", err)
	}
}
