package backend

import (
	"context"
	"fmt"
	"strings"
	"time"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/overview"
	"acctui/principals"
)

// DefaultBrowserTimeout bounds an interactive sign-in when the request sets
// none.
const DefaultBrowserTimeout = 5 * time.Minute

// Engine is the Backend on an engine.Client and the cache store it uses.
type Engine struct {
	client *engine.Client
	store  engine.CacheStore
	scopes []string
	now    func() time.Time
	// redirectURI replaces the browser sign-in's loopback redirect URI.
	redirectURI string
	// principalToken acquires app tokens for service principals and
	// managed identities; nil lists them but cannot refresh them.
	principalToken PrincipalTokenFunc
	// addPrincipal signs apps and identities in; nil refuses.
	addPrincipal PrincipalAddFunc
}

// Option configures an Engine backend.
type Option func(*Engine)

// WithRedirectURI makes browser sign-ins use uri (--redirect-uri).
func WithRedirectURI(uri string) Option { return func(e *Engine) { e.redirectURI = uri } }

// WithAddPrincipal lets the add-account screen sign in apps and identities.
func WithAddPrincipal(fn PrincipalAddFunc) Option { return func(e *Engine) { e.addPrincipal = fn } }

// WithPrincipalToken lets the backend re-acquire the tokens of service
// principals and managed identities (the command line's own acquisition).
func WithPrincipalToken(fn PrincipalTokenFunc) Option {
	return func(e *Engine) { e.principalToken = fn }
}

var _ Backend = (*Engine)(nil)

// NewEngine returns a Backend that asks client for tokens of scopes and
// reads the account overview from store (the client's own cache store).
// now is the clock; nil means time.Now.
func NewEngine(client *engine.Client, store engine.CacheStore, scopes []string, now func() time.Time, opts ...Option) *Engine {
	if now == nil {
		now = time.Now
	}
	e := &Engine{client: client, store: store, scopes: append([]string(nil), scopes...), now: now}
	for _, o := range opts {
		o(e)
	}
	return e
}

// overviewer is a store that lists its accounts without opening a token
// (the vault keeps what a listing shows beside the tokens).
type overviewer interface {
	Overview(ctx context.Context, now time.Time) ([]overview.Account, error)
}

// Accounts summarises the cache: the people, each with where it lives,
// then the service principals and managed identities. A store that can
// list without opening tokens does so, and only its shared entries are
// read; any other store is read whole once.
func (e *Engine) Accounts(ctx context.Context) ([]overview.Account, error) {
	now := e.now()
	var list []overview.Account
	hint := cache.Hint{}
	if o, ok := e.store.(overviewer); ok {
		people, err := o.Overview(ctx, now)
		if err != nil {
			return nil, fmt.Errorf("accounts: %w", err)
		}
		list, hint = people, cache.Hint{Shared: true}
	}
	err := e.store.Read(ctx, hint, func(c *cache.Cache) error {
		if !hint.Shared {
			list = overview.Build(c, now)
		}
		authority := e.client.Authority()
		for i := range list {
			list[i].SetPlace(authority)
		}
		apps, err := principalRows(c, now)
		list = append(list, apps...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("accounts: %w", err)
	}
	return list, nil
}

// Refresh acquires a token silently, skipping the cached one when force.
func (e *Engine) Refresh(ctx context.Context, homeAccountID string, force bool) (engine.Result, error) {
	if isPrincipalID(homeAccountID) {
		return e.refreshPrincipal(ctx, homeAccountID, force)
	}
	acct, err := e.account(ctx, homeAccountID)
	if err != nil {
		return engine.Result{}, err
	}
	var opts []engine.Option
	if force {
		opts = append(opts, engine.WithForceRefresh())
	}
	return e.client.AcquireTokenSilent(ctx, e.scopes, acct, opts...)
}

// AccessToken acquires a token silently, from the cache when it is fresh.
func (e *Engine) AccessToken(ctx context.Context, homeAccountID string) (engine.Result, error) {
	return e.Refresh(ctx, homeAccountID, false)
}

// IDTokenClaims decodes the account's cached ID token without verifying it.
func (e *Engine) IDTokenClaims(ctx context.Context, homeAccountID string) (map[string]any, error) {
	if isPrincipalID(homeAccountID) {
		return e.appTokenClaims(ctx, homeAccountID)
	}
	var raw string
	err := e.store.Read(ctx, cache.Hint{HomeAccountID: homeAccountID}, func(c *cache.Cache) error {
		if it, ok := c.FindIDToken(cache.IDTokenQuery{HomeAccountID: homeAccountID, ClientID: e.client.ClientID()}); ok {
			raw = it.Secret.Reveal()
			return nil
		}
		if it, ok := c.FindIDToken(cache.IDTokenQuery{HomeAccountID: homeAccountID}); ok {
			raw = it.Secret.Reveal()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("id token: %w", err)
	}
	if raw == "" {
		return nil, nil
	}
	jwt, err := engine.DecodeClaimsUnverified(raw)
	if err != nil {
		return nil, fmt.Errorf("id token: %w", err)
	}
	return jwt.Claims, nil
}

// SignInBrowser runs the loopback-redirect sign-in.
func (e *Engine) SignInBrowser(ctx context.Context, req SignInRequest, openURL func(string) error) (engine.Result, error) {
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = DefaultBrowserTimeout
	}
	opts := []engine.Option{engine.WithOpenURL(openURL), engine.WithTimeout(timeout)}
	if req.LoginHint != "" {
		opts = append(opts, engine.WithExpectedUsername(req.LoginHint)) // a re-authentication: bound to that account
	} else {
		opts = append(opts, engine.WithPrompt("select_account"))
	}
	if req.Claims != "" {
		opts = append(opts, engine.WithClaims(req.Claims))
	}
	if e.redirectURI != "" {
		opts = append(opts, engine.WithRedirectURI(e.redirectURI))
	}
	return e.client.AcquireTokenInteractive(ctx, e.scopes, opts...)
}

// StartDeviceCode initiates the device-code flow.
func (e *Engine) StartDeviceCode(ctx context.Context, req SignInRequest) (engine.DeviceCode, error) {
	var opts []engine.Option
	if req.Claims != "" {
		opts = append(opts, engine.WithClaims(req.Claims))
	}
	return e.client.InitiateDeviceFlow(ctx, e.scopes, opts...)
}

// FinishDeviceCode polls until the user has signed in.
func (e *Engine) FinishDeviceCode(ctx context.Context, dc engine.DeviceCode) (engine.Result, error) {
	return e.client.AcquireTokenByDeviceFlow(ctx, dc)
}

// SignInPassword runs the deprecated username/password flow.
func (e *Engine) SignInPassword(ctx context.Context, req SignInRequest, username string, password engine.Secret) (engine.Result, error) {
	var opts []engine.Option
	if req.Claims != "" {
		opts = append(opts, engine.WithClaims(req.Claims))
	}
	return e.client.AcquireTokenByUsernamePassword(ctx, e.scopes, username, password, opts...)
}

// Remove signs the account out of the app.
func (e *Engine) Remove(ctx context.Context, homeAccountID string) error {
	if isPrincipalID(homeAccountID) {
		p, err := e.principal(ctx, homeAccountID)
		if err != nil {
			return err
		}
		return principals.Remove(ctx, e.store, p)
	}
	acct, err := e.account(ctx, homeAccountID)
	if err != nil {
		return err
	}
	return e.client.RemoveAccount(ctx, acct)
}

// account finds the engine's account for a home account id.
func (e *Engine) account(ctx context.Context, homeAccountID string) (engine.Account, error) {
	accounts, err := e.client.Accounts(ctx)
	if err != nil {
		return engine.Account{}, err
	}
	for _, a := range accounts {
		if strings.EqualFold(a.HomeAccountID, homeAccountID) {
			return a, nil
		}
	}
	return engine.Account{}, fmt.Errorf("account %s: %w", homeAccountID, engine.ErrNoAccount)
}
