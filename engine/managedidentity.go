package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"acctui/engine/cache"
)

// ManagedIdentity names the identity an Azure resource acts as: its
// system-assigned identity when every field is empty, else the
// user-assigned identity with this client id, object id or resource id.
type ManagedIdentity struct {
	ClientID   string
	ObjectID   string
	ResourceID string
}

// IsSystemAssigned reports whether no user-assigned identity is named.
func (m ManagedIdentity) IsSystemAssigned() bool {
	return m.ClientID == "" && m.ObjectID == "" && m.ResourceID == ""
}

// CacheClientID is the client_id MSAL Python caches the identity's tokens
// under: its id, or SYSTEM_ASSIGNED_MANAGED_IDENTITY.
func (m ManagedIdentity) CacheClientID() string {
	switch {
	case m.ClientID != "":
		return m.ClientID
	case m.ObjectID != "":
		return m.ObjectID
	case m.ResourceID != "":
		return m.ResourceID
	}
	return "SYSTEM_ASSIGNED_MANAGED_IDENTITY"
}

// The places a managed identity's token comes from.
const (
	SourceIMDS       = "imds"
	SourceAppService = "app_service"
	SourceAzureArc   = "azure_arc"
)

const (
	// DefaultIMDSEndpoint is the Azure Instance Metadata Service.
	DefaultIMDSEndpoint = "http://169.254.169.254"
	// DefaultArcKeyDir is where the Azure Arc agent writes its challenge
	// files on Linux.
	DefaultArcKeyDir = "/var/opt/azcmagent/tokens"
	// defaultIMDSConnectTimeout says "not on Azure" quickly: IMDS is a
	// link-local address that answers at once on Azure and drops packets
	// elsewhere.
	defaultIMDSConnectTimeout = time.Second
	// MSAL Python's cache environment and realm for managed identities.
	miEnvironment = "localhost"
	miRealm       = "managed_identity"
	// miMaxRetries is MSAL Go's retry count for managed identity sources.
	miMaxRetries = 3
	// arcMaxKeyBytes is the largest Arc challenge file MSAL reads.
	arcMaxKeyBytes = 4096
)

// ErrNoManagedIdentity means no managed identity endpoint answered: the
// program is not running on an Azure resource with an identity.
var ErrNoManagedIdentity = errors.New("engine: no managed identity endpoint answered; is this running on Azure with a managed identity?")

// ManagedIdentityConfig configures a ManagedIdentityClient.
type ManagedIdentityConfig struct {
	Identity ManagedIdentity
	// HTTPClient sends the requests; nil means one whose connection
	// attempt to IMDS gives up after a second.
	HTTPClient *http.Client
	// Cache holds the tokens; nil means an in-memory cache.
	Cache CacheStore
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Getenv reads IDENTITY_ENDPOINT, IDENTITY_HEADER and IMDS_ENDPOINT;
	// nil means os.Getenv.
	Getenv func(string) string
	// IMDSEndpoint replaces DefaultIMDSEndpoint (tests use loopback).
	IMDSEndpoint string
	// ArcKeyDir replaces DefaultArcKeyDir.
	ArcKeyDir string
	// Sleep waits between retries; nil waits on the wall clock.
	Sleep func(context.Context, time.Duration) error
	// Logger receives debug lines, never a token.
	Logger *slog.Logger
}

// ManagedIdentityClient gets tokens for an Azure resource's managed
// identity from IMDS, App Service/Functions or Azure Arc, as MSAL's
// ManagedIdentityClient does, and caches them as MSAL Python does.
type ManagedIdentityClient struct {
	cfg    ManagedIdentityConfig
	source string
	url    string
	header string // App Service's IDENTITY_HEADER
}

// NewManagedIdentityClient finds the identity source from the environment,
// in MSAL's order: App Service (IDENTITY_ENDPOINT and IDENTITY_HEADER),
// Azure Arc (IDENTITY_ENDPOINT and IMDS_ENDPOINT), else IMDS.
func NewManagedIdentityClient(cfg ManagedIdentityConfig) (*ManagedIdentityClient, error) {
	id := cfg.Identity
	set := 0
	for _, v := range []string{id.ClientID, id.ObjectID, id.ResourceID} {
		if v != "" {
			set++
		}
	}
	if set > 1 {
		return nil, errors.New("engine: name a user-assigned identity by one of client id, object id or resource id")
	}
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Cache == nil {
		cfg.Cache = NewMemoryStore(nil)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepContext
	}
	if cfg.HTTPClient == nil {
		dialer := &net.Dialer{Timeout: defaultIMDSConnectTimeout}
		cfg.HTTPClient = &http.Client{Timeout: defaultTimeout, Transport: &http.Transport{
			Proxy: nil, DialContext: dialer.DialContext, ResponseHeaderTimeout: defaultTimeout}}
	}
	cfg.HTTPClient = noRedirects(cfg.HTTPClient)
	if cfg.ArcKeyDir == "" {
		cfg.ArcKeyDir = DefaultArcKeyDir
	}
	m := &ManagedIdentityClient{cfg: cfg}
	endpoint := cfg.Getenv("IDENTITY_ENDPOINT")
	switch {
	case endpoint != "" && cfg.Getenv("IDENTITY_HEADER") != "":
		m.source, m.url, m.header = SourceAppService, endpoint, cfg.Getenv("IDENTITY_HEADER")
	case endpoint != "" && cfg.Getenv("IMDS_ENDPOINT") != "":
		if !id.IsSystemAssigned() {
			return nil, errors.New("engine: Azure Arc has only a system-assigned identity; drop the client, object or resource id")
		}
		m.source, m.url = SourceAzureArc, endpoint
	default:
		base := cfg.IMDSEndpoint
		if base == "" {
			base = DefaultIMDSEndpoint
		}
		m.source, m.url = SourceIMDS, strings.TrimRight(base, "/")+"/metadata/identity/oauth2/token"
	}
	if u, err := url.Parse(m.url); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("engine: managed identity endpoint %q is not an http URL", m.url)
	}
	return m, nil
}

// Source is where tokens come from: SourceIMDS, SourceAppService or
// SourceAzureArc.
func (m *ManagedIdentityClient) Source() string { return m.source }

// Identity is the identity the client acts as.
func (m *ManagedIdentityClient) Identity() ManagedIdentity { return m.cfg.Identity }

// ResourceFromScope turns "https://vault.azure.net/.default" into the
// resource managed identity endpoints take; a resource stays as it is.
func ResourceFromScope(scope string) string { return strings.TrimSuffix(scope, "/.default") }

// AcquireToken gets a token for resource (or a "<resource>/.default"
// scope): from the cache while it is good for five more minutes, else from
// the identity source. WithForceRefresh skips the cache.
func (m *ManagedIdentityClient) AcquireToken(ctx context.Context, resource string, opts ...Option) (Result, error) {
	resource = ResourceFromScope(strings.TrimSpace(resource))
	if resource == "" {
		return Result{}, errors.New("engine: a managed identity token needs a resource such as https://management.azure.com")
	}
	o, err := collectFor("ManagedIdentityClient.AcquireToken", managedIdentityOptions, opts)
	if err != nil {
		return Result{}, err
	}
	now := m.cfg.Now()
	clientID := m.cfg.Identity.CacheClientID()
	var aging *Result
	if !o.forceRefresh {
		var cached *cache.AccessToken
		err := m.cfg.Cache.Read(ctx, CacheHint{}, func(cc *cache.Cache) error {
			if at, ok := cc.FindAccessToken(cache.AccessTokenQuery{Environments: []string{miEnvironment}, ClientID: clientID,
				Realm: miRealm, Scopes: []string{resource}}); ok {
				cached = &at
			}
			return nil
		})
		if err != nil {
			return Result{}, fmt.Errorf("engine: read cache: %w", err)
		}
		if cached != nil && time.Unix(cached.ExpiresOn, 0).Sub(now) >= expiryMargin {
			r := resultFromCache(*cached, nil, Account{})
			if cached.RefreshOn == 0 || cached.RefreshOn > now.Unix() {
				return r, nil
			}
			aging = &r
		}
	}
	r, err := m.fetch(ctx, resource, clientID)
	if err != nil && aging != nil {
		m.cfg.Logger.Debug("engine: early managed identity renewal failed; serving the cached token", "error", err)
		return *aging, nil
	}
	return r, err
}

// miResponse is what the identity endpoints answer; numbers come as
// strings or numbers depending on the source.
type miResponse struct {
	AccessToken Secret      `json:"access_token"`
	ExpiresIn   json.Number `json:"expires_in"`
	ExpiresOn   json.Number `json:"expires_on"`
	TokenType   string      `json:"token_type"`
	Resource    string      `json:"resource"`
	// IMDS and Arc errors
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	// App Service errors
	StatusCode json.Number `json:"statusCode"`
	Message    string      `json:"message"`
}

func (m *ManagedIdentityClient) fetch(ctx context.Context, resource, clientID string) (Result, error) {
	q := url.Values{"resource": {resource}}
	header := http.Header{"Metadata": {"true"}}
	id := m.cfg.Identity
	resourceIDParam := "msi_res_id"
	switch m.source {
	case SourceIMDS:
		q.Set("api-version", "2018-02-01")
	case SourceAppService:
		q.Set("api-version", "2019-08-01")
		header.Set("X-IDENTITY-HEADER", m.header)
		resourceIDParam = "mi_res_id"
	case SourceAzureArc:
		q.Set("api-version", "2020-06-01")
	}
	switch {
	case id.ClientID != "":
		q.Set("client_id", id.ClientID)
	case id.ObjectID != "":
		q.Set("object_id", id.ObjectID)
	case id.ResourceID != "":
		q.Set(resourceIDParam, id.ResourceID)
	}
	target := m.url + "?" + q.Encode()
	if strings.Contains(m.url, "?") {
		target = m.url + "&" + q.Encode()
	}
	status, body, respHeader, err := m.getWithRetries(ctx, target, header)
	if err != nil {
		return Result{}, err
	}
	if m.source == SourceAzureArc && status == http.StatusUnauthorized {
		secret, err := m.arcChallenge(respHeader.Get("WWW-Authenticate"))
		if err != nil {
			return Result{}, err
		}
		header.Set("Authorization", "Basic "+secret)
		status, body, _, err = m.getWithRetries(ctx, target, header)
		if err != nil {
			return Result{}, err
		}
	}
	var mr miResponse
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if err := dec.Decode(&mr); err != nil {
		return Result{}, &Error{Code: "invalid_response", Description: fmt.Sprintf("the %s endpoint answered HTTP %d without JSON", m.source, status), HTTPStatus: status}
	}
	if status != http.StatusOK || mr.AccessToken.IsZero() {
		e := &Error{Code: mr.Error, Description: mr.ErrorDescription, HTTPStatus: status}
		if e.Code == "" {
			e.Code = "invalid_request"
		}
		if e.Description == "" {
			e.Description = mr.Message
		}
		if e.Description == "" {
			e.Description = fmt.Sprintf("the %s endpoint gave no token (HTTP %d)", m.source, status)
		}
		return Result{}, e
	}
	return m.save(ctx, resource, clientID, mr)
}

// save caches the token as MSAL Python's ManagedIdentityClient does, with
// its early renewal at half the lifetime of tokens good for two hours or
// more.
func (m *ManagedIdentityClient) save(ctx context.Context, resource, clientID string, mr miResponse) (Result, error) {
	now := m.cfg.Now()
	expiresIn := defaultExpiresIn
	if n, err := mr.ExpiresIn.Int64(); err == nil && n > 0 {
		expiresIn = time.Duration(n) * time.Second
	} else if on, err := mr.ExpiresOn.Int64(); err == nil && on > now.Unix() {
		expiresIn = time.Unix(on, 0).Sub(now)
	}
	at := cache.AccessToken{Environment: miEnvironment, ClientID: clientID, Realm: miRealm, Target: resource,
		Secret: mr.AccessToken, TokenType: mr.TokenType, CachedAt: now.Unix(),
		ExpiresOn: now.Add(expiresIn).Unix(), ExtendedExpiresOn: now.Add(expiresIn).Unix()}
	if expiresIn >= 2*time.Hour {
		at.RefreshOn = now.Add(expiresIn / 2).Unix()
	}
	err := m.cfg.Cache.Write(ctx, CacheHint{}, func(cc *cache.Cache) error { return cc.SaveAccessToken(at) })
	if err != nil {
		return Result{}, fmt.Errorf("engine: save managed identity token: %w", err)
	}
	r := resultFromCache(at, nil, Account{})
	r.Source = SourceIdentityProvider
	return r, nil
}

// retryableMIStatus are the answers MSAL Go retries for managed identity:
// IMDS's documented 404 (identity not yet assigned), 410 (IMDS updating),
// throttling and server errors.
func retryableMIStatus(status int) bool {
	switch status {
	case http.StatusNotFound, http.StatusRequestTimeout, http.StatusGone, http.StatusTooManyRequests,
		http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// getWithRetries sends a GET, retrying a retryable status up to three
// times with exponential backoff (or the Retry-After asked for). A failure
// to connect at all is ErrNoManagedIdentity at once, not after retries.
func (m *ManagedIdentityClient) getWithRetries(ctx context.Context, target string, header http.Header) (int, []byte, http.Header, error) {
	wait := time.Second
	for attempt := 0; ; attempt++ {
		status, body, respHeader, err := m.get(ctx, target, header)
		if err != nil {
			return 0, nil, nil, err
		}
		if !retryableMIStatus(status) || attempt == miMaxRetries {
			return status, body, respHeader, nil
		}
		delay := wait
		if ra := parseRetryAfter(respHeader.Get("Retry-After"), m.cfg.Now()); ra > 0 && ra <= time.Minute {
			delay = ra
		}
		m.cfg.Logger.Debug("engine: managed identity endpoint busy; retrying", "status", status, "wait", delay)
		if err := m.cfg.Sleep(ctx, delay); err != nil {
			return 0, nil, nil, err
		}
		wait *= 2
	}
}

func (m *ManagedIdentityClient) get(ctx context.Context, target string, header http.Header) (int, []byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("engine: managed identity request: %w", err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("x-client-SKU", "acctui.Go")
	req.Header.Set("x-client-Ver", libraryVersion)
	resp, err := m.cfg.HTTPClient.Do(req)
	if err != nil {
		// A refused or timed-out connection means nothing listens there:
		// say so now rather than retry, as azidentity's IMDS probe does.
		var opErr *net.OpError
		if errors.As(err, &opErr) && opErr.Op == "dial" && ctx.Err() == nil {
			return 0, nil, nil, fmt.Errorf("%w (%s: %s)", ErrNoManagedIdentity, m.source, redactURL(m.url))
		}
		return 0, nil, nil, &NetworkError{URL: redactURL(m.url), Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return 0, nil, nil, &NetworkError{URL: redactURL(m.url), Err: err}
	}
	if len(body) > maxResponseBytes {
		return 0, nil, nil, fmt.Errorf("engine: %s answered more than %d bytes; refusing to read it", redactURL(m.url), maxResponseBytes)
	}
	return resp.StatusCode, body, resp.Header, nil
}

// arcChallenge reads the secret Azure Arc's agent wrote for this request.
// Only a .key file of at most 4 KiB directly in the agent's token
// directory is read, so a hostile endpoint cannot make acctui send the
// contents of another file.
func (m *ManagedIdentityClient) arcChallenge(wwwAuthenticate string) (string, error) {
	scheme, realm, ok := strings.Cut(wwwAuthenticate, "=")
	if !ok || !strings.EqualFold(strings.TrimSpace(scheme), "Basic realm") {
		return "", errors.New("engine: Azure Arc: the identity endpoint sent no Basic realm challenge")
	}
	name := filepath.Base(strings.Trim(strings.TrimSpace(realm), `"`))
	if filepath.Ext(name) != ".key" {
		return "", errors.New("engine: Azure Arc: the challenge does not name a .key file")
	}
	path := filepath.Join(m.cfg.ArcKeyDir, name)
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("engine: Azure Arc: challenge file: %w", err)
	}
	if !info.Mode().IsRegular() || info.Size() > arcMaxKeyBytes {
		return "", fmt.Errorf("engine: Azure Arc: challenge file %s is not a regular file of at most %d bytes", path, arcMaxKeyBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("engine: Azure Arc: challenge file: %w", err)
	}
	return strings.TrimSpace(string(data)), nil
}

// sleepContext waits d or until ctx ends.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
