package engine

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"acctui/engine/idptest"
)

const (
	miSystemID   = "0f1e2d3c-4b5a-4697-8877-665544332211"
	miUserID     = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
	miUserObject = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e"
	miUserRes    = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/deployer"
	armResource  = "https://management.azure.com"
)

// miWorld is an emulated Azure resource with a system-assigned and a
// user-assigned identity.
type miWorld struct {
	srv    *idptest.Server
	mu     sync.Mutex
	sleeps []time.Duration
}

func newMIWorld(t *testing.T) *miWorld {
	t.Helper()
	dir := idptest.DefaultDirectory()
	dir.ManagedIdentities = []*idptest.ManagedIdentity{
		{ClientID: miSystemID, SystemAssigned: true},
		{ClientID: miUserID, ObjectID: miUserObject, ResourceID: miUserRes},
	}
	return &miWorld{srv: idptest.Start(t, idptest.Options{TLS: true, Directory: dir})}
}

// client makes a managed identity client whose environment is env and
// whose IMDS is the emulator (never 169.254.169.254).
func (w *miWorld) client(t *testing.T, id ManagedIdentity, env map[string]string, mutate ...func(*ManagedIdentityConfig)) (*ManagedIdentityClient, *MemoryStore) {
	t.Helper()
	store := NewMemoryStore(nil)
	cfg := ManagedIdentityConfig{Identity: id, HTTPClient: w.srv.Client(), Cache: store, Now: w.srv.Now,
		Getenv: func(k string) string { return env[k] }, IMDSEndpoint: w.srv.URL(),
		Sleep: func(_ context.Context, d time.Duration) error {
			w.mu.Lock()
			w.sleeps = append(w.sleeps, d)
			w.mu.Unlock()
			return nil
		}}
	for _, m := range mutate {
		m(&cfg)
	}
	c, err := NewManagedIdentityClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, store
}

func appIDOf(t *testing.T, r Result) string {
	t.Helper()
	d, err := DecodeClaimsUnverified(r.AccessToken.Reveal())
	if err != nil {
		t.Fatal(err)
	}
	return claimString(d.Claims, "appid")
}

// TestManagedIdentitySources gets a token from each source for each way of
// naming the identity.
func TestManagedIdentitySources(t *testing.T) {
	w := newMIWorld(t)
	arcDir := t.TempDir()
	w.srv.SetArcKeyDir(arcDir)
	appService := map[string]string{"IDENTITY_ENDPOINT": w.srv.URL() + idptest.AppServicePath, "IDENTITY_HEADER": idptest.AppServiceIdentityHeader}
	arc := map[string]string{"IDENTITY_ENDPOINT": w.srv.URL() + idptest.ArcPath, "IMDS_ENDPOINT": w.srv.URL()}
	for _, tc := range []struct {
		name   string
		id     ManagedIdentity
		env    map[string]string
		source string
		want   string
	}{
		{"imds system", ManagedIdentity{}, nil, SourceIMDS, miSystemID},
		{"imds client id", ManagedIdentity{ClientID: miUserID}, nil, SourceIMDS, miUserID},
		{"imds object id", ManagedIdentity{ObjectID: miUserObject}, nil, SourceIMDS, miUserID},
		{"imds resource id", ManagedIdentity{ResourceID: miUserRes}, nil, SourceIMDS, miUserID},
		{"app service system", ManagedIdentity{}, appService, SourceAppService, miSystemID},
		{"app service resource id", ManagedIdentity{ResourceID: miUserRes}, appService, SourceAppService, miUserID},
		{"arc system", ManagedIdentity{}, arc, SourceAzureArc, miSystemID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := w.client(t, tc.id, tc.env, func(cfg *ManagedIdentityConfig) { cfg.ArcKeyDir = arcDir })
			if c.Source() != tc.source {
				t.Fatalf("source %s, want %s", c.Source(), tc.source)
			}
			r, err := c.AcquireToken(context.Background(), armResource+"/.default")
			if err != nil {
				t.Fatal(err)
			}
			if got := appIDOf(t, r); got != tc.want {
				t.Fatalf("token for %s, want %s", got, tc.want)
			}
		})
	}
}

// TestManagedIdentityCache checks MSAL Python's cache entry for managed
// identity tokens and that a second call is served from it.
func TestManagedIdentityCache(t *testing.T) {
	w := newMIWorld(t)
	c, store := w.client(t, ManagedIdentity{}, nil)
	ctx := context.Background()
	first, err := c.AcquireToken(ctx, armResource)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := store.Snapshot().Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if key := "-localhost-accesstoken-system_assigned_managed_identity-managed_identity-" + armResource; !strings.Contains(string(raw), `"`+key+`"`) {
		t.Fatalf("no entry under MSAL Python's key %s:\n%s", key, raw)
	}
	second, err := c.AcquireToken(ctx, armResource)
	if err != nil || second.Source != SourceCache || second.AccessToken != first.AccessToken {
		t.Fatalf("second call: %v %v", second, err)
	}
	if n := w.srv.CountRequests(idptest.EndpointManagedIdentity, ""); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	w.srv.Advance(time.Until(first.ExpiresOn) - time.Minute)
	third, err := c.AcquireToken(ctx, armResource)
	if err != nil || third.Source != SourceIdentityProvider {
		t.Fatalf("after expiry: %v %v", third, err)
	}
}

// TestManagedIdentityRetries retries IMDS's busy answers with MSAL Go's
// backoff and gives up after three retries.
func TestManagedIdentityRetries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		failures int
		ok       bool
	}{
		{"recovers", 2, true},
		{"gives up", 4, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newMIWorld(t)
			if err := w.srv.InjectFault(idptest.Fault{Endpoint: idptest.EndpointManagedIdentity, Kind: idptest.FaultStatus, Status: 503, Count: tc.failures}); err != nil {
				t.Fatal(err)
			}
			c, _ := w.client(t, ManagedIdentity{}, nil)
			_, err := c.AcquireToken(context.Background(), armResource)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v", err)
			}
			wantSleeps := min(tc.failures, miMaxRetries)
			if len(w.sleeps) != wantSleeps || w.sleeps[0] != time.Second || (wantSleeps > 1 && w.sleeps[1] != 2*time.Second) {
				t.Fatalf("waits %v, want %d doubling from 1s", w.sleeps, wantSleeps)
			}
		})
	}
}

// TestManagedIdentityRefusals covers an unknown identity, a wrong App
// Service header, Arc with a user-assigned identity, and an Arc endpoint
// whose challenge names a file outside the agent's directory.
func TestManagedIdentityRefusals(t *testing.T) {
	w := newMIWorld(t)
	c, store := w.client(t, ManagedIdentity{ClientID: "00000000-0000-0000-0000-000000000000"}, nil)
	_, err := c.AcquireToken(context.Background(), armResource)
	var e *Error
	if !errors.As(err, &e) || e.HTTPStatus != http.StatusBadRequest || !strings.Contains(e.Description, "Identity not found") {
		t.Fatalf("unknown identity: %v", err)
	}
	if len(w.sleeps) != 0 || store.Snapshot().Len() != 0 {
		t.Fatalf("a 400 was retried (%v) or something cached", w.sleeps)
	}

	c, _ = w.client(t, ManagedIdentity{}, map[string]string{"IDENTITY_ENDPOINT": w.srv.URL() + idptest.AppServicePath, "IDENTITY_HEADER": "wrong"})
	if _, err := c.AcquireToken(context.Background(), armResource); !errors.As(err, &e) || e.HTTPStatus != http.StatusUnauthorized {
		t.Fatalf("wrong identity header: %v", err)
	}

	arc := map[string]string{"IDENTITY_ENDPOINT": w.srv.URL() + idptest.ArcPath, "IMDS_ENDPOINT": w.srv.URL()}
	if _, err := NewManagedIdentityClient(ManagedIdentityConfig{Identity: ManagedIdentity{ClientID: miUserID}, Getenv: func(k string) string { return arc[k] }}); err == nil {
		t.Fatal("Arc accepted a user-assigned identity")
	}

	hostile := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Errorf("a file's content was sent to the hostile endpoint")
		}
		rw.Header().Set("WWW-Authenticate", "Basic realm=/etc/passwd")
		rw.WriteHeader(http.StatusUnauthorized)
	}))
	defer hostile.Close()
	hostileEnv := map[string]string{"IDENTITY_ENDPOINT": hostile.URL, "IMDS_ENDPOINT": hostile.URL}
	c, _ = w.client(t, ManagedIdentity{}, hostileEnv, func(cfg *ManagedIdentityConfig) {
		cfg.HTTPClient, cfg.ArcKeyDir = hostile.Client(), t.TempDir()
	})
	if _, err := c.AcquireToken(context.Background(), armResource); err == nil || !strings.Contains(err.Error(), ".key") {
		t.Fatalf("hostile challenge: %v", err)
	}
}

// TestManagedIdentityNotOnAzure: nothing listens where IMDS should be, so
// the answer is ErrNoManagedIdentity at once, without retries.
func TestManagedIdentityNotOnAzure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	var slept bool
	c, err := NewManagedIdentityClient(ManagedIdentityConfig{IMDSEndpoint: closed, Getenv: func(string) string { return "" },
		Sleep: func(context.Context, time.Duration) error { slept = true; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.AcquireToken(context.Background(), armResource)
	if !errors.Is(err, ErrNoManagedIdentity) || slept {
		t.Fatalf("err = %v, slept = %v", err, slept)
	}
}

// TestManagedIdentityEarlyRenewal: a token good for a day is renewed after
// half of it, as MSAL Python does; when the renewal fails the cached token,
// still valid, is served.
func TestManagedIdentityEarlyRenewal(t *testing.T) {
	dir := idptest.DefaultDirectory()
	dir.ManagedIdentities = []*idptest.ManagedIdentity{{ClientID: miSystemID, SystemAssigned: true, AccessTokenSeconds: 24 * 3600}}
	w := &miWorld{srv: idptest.Start(t, idptest.Options{TLS: true, Directory: dir})}
	c, _ := w.client(t, ManagedIdentity{}, nil)
	ctx := context.Background()
	first, err := c.AcquireToken(ctx, armResource)
	if err != nil {
		t.Fatal(err)
	}
	if got := first.RefreshOn.Sub(w.srv.Now()).Round(time.Hour); got != 12*time.Hour {
		t.Fatalf("refresh_on in %s, want 12h", got)
	}
	w.srv.Advance(13 * time.Hour)
	if err := w.srv.InjectFault(idptest.Fault{Endpoint: idptest.EndpointManagedIdentity, Kind: idptest.FaultStatus, Status: 400, Count: 1}); err != nil {
		t.Fatal(err)
	}
	aging, err := c.AcquireToken(ctx, armResource)
	if err != nil || aging.Source != SourceCache || aging.AccessToken != first.AccessToken {
		t.Fatalf("failed renewal: %v %v", aging, err)
	}
	renewed, err := c.AcquireToken(ctx, armResource)
	if err != nil || renewed.Source != SourceIdentityProvider || renewed.AccessToken == first.AccessToken {
		t.Fatalf("renewal: %v %v", renewed, err)
	}
}
