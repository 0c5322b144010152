package engine

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/engine/idptest"
)

const (
	cliID        = idptest.AzureCLIClientID
	powershellID = idptest.AzurePowerShellClientID
	alice        = "alice@contoso.example"
)

var graph = []string{"https://graph.microsoft.com/.default"}

// env is an emulator and a client of it sharing one in-memory cache.
type env struct {
	t      *testing.T
	srv    *idptest.Server
	store  *MemoryStore
	client *Client
	clock  *testClock
}

// testClock follows the emulator's clock, so advancing the server moves
// the engine's notion of now too.
type testClock struct {
	srv *idptest.Server
}

func (c *testClock) Now() time.Time { return c.srv.Now() }

func newEnv(t *testing.T, opts ...func(*Config)) *env {
	t.Helper()
	srv := idptest.Start(t, idptest.Options{TLS: true, DeviceCodeInterval: time.Second})
	return newEnvFor(t, srv, NewMemoryStore(nil), opts...)
}

func newEnvFor(t *testing.T, srv *idptest.Server, store *MemoryStore, opts ...func(*Config)) *env {
	t.Helper()
	clock := &testClock{srv: srv}
	cfg := Config{
		ClientID:   cliID,
		Authority:  srv.Authority("organizations"),
		HTTPClient: srv.Client(),
		Cache:      store,
		Now:        clock.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	client, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	client.sleepHook = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	return &env{t: t, srv: srv, store: store, client: client, clock: clock}
}

func (e *env) signIn(t *testing.T, username, password string) Result {
	t.Helper()
	r, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, username, Secret(password))
	if err != nil {
		t.Fatalf("sign in %s: %v", username, err)
	}
	return r
}

func (e *env) tokenCalls(grantType string) int {
	return e.srv.CountRequests(idptest.EndpointToken, grantType)
}

// headerRecorder captures the headers the engine sends.
type headerRecorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	seen []http.Header
}

func (h *headerRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.seen = append(h.seen, r.Header.Clone())
	h.mu.Unlock()
	return h.next.RoundTrip(r)
}

// listenFree finds a free loopback port.
func listenFree(t *testing.T) (int, error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port, nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// rtOf queries an account's refresh tokens.
func rtOf(a Account) cache.RefreshTokenQuery {
	return cache.RefreshTokenQuery{HomeAccountID: a.HomeAccountID}
}
