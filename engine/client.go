// Package engine is acctui's implementation of the Microsoft identity
// platform's public-client flows, in the manner of MSAL Python: silent
// acquisition with refresh and family refresh tokens, the auth-code flow
// with PKCE, interactive loopback sign-in, device code, username/password,
// refresh-token import, accounts and removal. It speaks the real wire
// protocol and reads and writes MSAL's unified token cache (engine/cache),
// so caches interoperate with MSAL Python and the Azure CLI.
//
// The engine knows nothing of terminals or keyrings: persistence comes in
// through a CacheStore, time through a clock.
//
// The examples (ExampleClient_AcquireTokenSilent for silent calls and
// refresh, ExampleClient_InitiateDeviceFlow, ExampleClient_InitiateAuthCodeFlow,
// ExampleClient_AcquireTokenByUsernamePassword, ExampleClient_RemoveAccount)
// run each flow against engine/idptest on a fixed clock; `go test -run
// Example acctui/engine` checks their output, and pkgsite shows them.
package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"acctui/engine/cache"

	"golang.org/x/sync/singleflight"
)

// Secret is a token, password or client secret: it prints as [redacted].
type Secret = cache.Secret

// Config configures a Client.
type Config struct {
	// ClientID is the application (client) id.
	ClientID string
	// Authority is https://{host}/{tenant} or another Microsoft form
	// (AuthorityForms); empty means DefaultAuthority.
	Authority string
	// OIDCAuthority, when set, is a generic OpenID Connect provider's
	// issuer and replaces Authority (MSAL Python's oidc_authority).
	OIDCAuthority string
	// ClientSecret makes a confidential client; leave it empty for public
	// clients (desktop, CLI).
	ClientSecret Secret
	// Credential makes a confidential client with a secret, a certificate
	// or a federated assertion; it takes precedence over ClientSecret.
	Credential ClientCredential
	// HTTPClient sends every request; nil means a client with a 30 s
	// timeout and the system's trusted roots.
	HTTPClient *http.Client
	// Cache persists tokens; nil means an in-memory cache.
	Cache CacheStore
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// ClientCapabilities are declared to the identity provider on every
	// request, such as "CP1" for continuous access evaluation.
	ClientCapabilities []string
	// DisableInstanceDiscovery trusts the authority's host without asking
	// the cloud's instance discovery endpoint (private clouds, ADFS-like
	// hosts). Known Microsoft clouds never need it.
	DisableInstanceDiscovery bool
	// Logger receives debug lines; it never receives a token.
	Logger *slog.Logger
}

// CacheStore is where the token cache lives. Read and Write run fn with the
// current cache; Write saves what fn changed. An implementation serialises
// access (a mutex, a lock file) and reloads when storage changed, so the
// engine never works on a stale cache nor overwrites another writer's
// accounts. fn must not block: it runs under the store's lock.
type CacheStore interface {
	Read(ctx context.Context, hint CacheHint, fn func(*cache.Cache) error) error
	Write(ctx context.Context, hint CacheHint, fn func(*cache.Cache) error) error
}

// CacheHint tells a store which account a call is about (cache.Hint).
type CacheHint = cache.Hint

// Client runs the flows for one application and authority. It is safe for
// concurrent use.
type Client struct {
	cfg       Config
	authority Authority
	http      *http.Client
	store     CacheStore
	now       func() time.Time
	log       *slog.Logger

	mu        sync.Mutex
	metadata  map[string]*oidcMetadata // authority URL → endpoints
	aliases   map[string][]string      // environment → aliases
	throttled map[string]throttleEntry

	flight singleflight.Group
	// sleepHook replaces the device-flow wait in tests; nil waits for real.
	sleepHook func(context.Context, time.Duration) error
}

// New checks the configuration and returns a client. It sends no request:
// discovery happens on the first call that needs the network.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.ClientID) == "" {
		return nil, errors.New("engine: a client id is required")
	}
	parse := ParseAuthority
	raw := cfg.Authority
	if strings.TrimSpace(cfg.OIDCAuthority) != "" {
		parse, raw = ParseOIDCAuthority, cfg.OIDCAuthority
	}
	authority, err := parse(raw)
	if err != nil {
		return nil, err
	}
	c := &Client{
		cfg:       cfg,
		authority: authority,
		http:      cfg.HTTPClient,
		store:     cfg.Cache,
		now:       cfg.Now,
		log:       cfg.Logger,
		metadata:  map[string]*oidcMetadata{},
		aliases:   map[string][]string{},
		throttled: map[string]throttleEntry{},
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: defaultTimeout}
	}
	c.http = noRedirects(c.http)
	if c.store == nil {
		c.store = NewMemoryStore(nil)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// ClientID is the application id the client was made for.
func (c *Client) ClientID() string { return c.cfg.ClientID }

// Authority is the client's default authority.
func (c *Client) Authority() Authority { return c.authority }

// IsPoPSupported reports whether proof-of-possession tokens can be had. They
// need an OS broker (WAM, the macOS or Linux broker), which acctui does not
// use, so this is always false, as in MSAL Python without a broker.
func (c *Client) IsPoPSupported() bool { return false }

// isConfidential reports whether the client authenticates itself.
func (c *Client) isConfidential() bool { return c.credential() != nil }

// String keeps the client secret out of any log line.
func (cfg Config) String() string {
	return fmt.Sprintf("engine.Config{ClientID: %s, Authority: %s, Confidential: %t}", cfg.ClientID, cfg.Authority, !cfg.ClientSecret.IsZero() || cfg.Credential != nil)
}

// GoString is String, for %#v.
func (cfg Config) GoString() string { return cfg.String() }

// LogValue is String, for log/slog.
func (cfg Config) LogValue() slog.Value { return slog.StringValue(cfg.String()) }

// Format is String for every verb, so no formatting path prints the secret.
func (cfg Config) Format(f fmt.State, _ rune) { fmt.Fprint(f, cfg.String()) }

// MemoryStore is a CacheStore in memory, the default.
type MemoryStore struct {
	mu    sync.RWMutex
	cache *cache.Cache
}

// NewMemoryStore returns a store holding c (a new cache when nil).
func NewMemoryStore(c *cache.Cache) *MemoryStore {
	if c == nil {
		c = cache.New()
	}
	return &MemoryStore{cache: c}
}

// Read runs fn on the cache under a read lock.
func (m *MemoryStore) Read(_ context.Context, _ CacheHint, fn func(*cache.Cache) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return fn(m.cache)
}

// Write runs fn on the cache under the write lock.
func (m *MemoryStore) Write(_ context.Context, _ CacheHint, fn func(*cache.Cache) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return fn(m.cache)
}

// Snapshot returns a copy of the cache, for tests and export.
func (m *MemoryStore) Snapshot() *cache.Cache {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.cache.Clone()
}
