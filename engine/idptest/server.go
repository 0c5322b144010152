// Package idptest runs a local identity provider that speaks the Microsoft
// identity platform protocol (v2.0 endpoints of login.microsoftonline.com),
// in the spirit of net/http/httptest: acctui's tests and its --demo mode sign
// in against it over real HTTP, and Microsoft's own MSAL Python completes its
// flows against it unchanged.
//
// It is a test fixture: secrets in its directory are fixtures, its TLS
// certificate authority is made at start, and it only listens on loopback.
package idptest

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configures a Server. The zero value serves plain HTTP on a random
// loopback port with the default directory.
type Options struct {
	// TLS serves https with a certificate authority made at start.
	TLS bool
	// Listen is the address to listen on; it must be a loopback address.
	// Empty means 127.0.0.1:0.
	Listen string
	// Directory is the tenants, users and apps; nil means DefaultDirectory().
	Directory *Directory
	// Now is the base clock; nil means time.Now. Advance moves the
	// server's clock forward from it.
	Now func() time.Time
	// DeviceCodeInterval is the polling interval announced by the device
	// code endpoint; zero means 5 seconds, as Entra.
	DeviceCodeInterval time.Duration
	// DeviceCodeLifetime is how long a device code stays valid; zero means
	// 15 minutes.
	DeviceCodeLifetime time.Duration
	// Logger receives one line per request; nil discards them.
	Logger *slog.Logger
}

// Server is a running identity provider.
type Server struct {
	opts     Options
	listener net.Listener
	http     *http.Server
	url      string
	ca       *testCA
	key      *signingKey
	log      *slog.Logger

	mu       sync.Mutex
	dir      *Directory
	offset   time.Duration
	state    *state
	faults   []*activeFault
	requests []RequestRecord
	// arrived logs requests as they come in, before they are answered.
	arrived []RequestRecord
	closed  bool
}

// New starts a server. Close it when done.
func New(opts Options) (*Server, error) {
	if opts.Directory == nil {
		opts.Directory = DefaultDirectory()
	} else if err := opts.Directory.validate(); err != nil {
		return nil, fmt.Errorf("idptest: directory: %w", err)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DeviceCodeInterval == 0 {
		opts.DeviceCodeInterval = 5 * time.Second
	}
	if opts.DeviceCodeLifetime == 0 {
		opts.DeviceCodeLifetime = 15 * time.Minute
	}
	if opts.Listen == "" {
		opts.Listen = "127.0.0.1:0"
	}
	if err := requireLoopback(opts.Listen); err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	key, err := newSigningKey()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, dir: opts.Directory, key: key, log: logger, state: newState()}

	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return nil, fmt.Errorf("idptest: listen: %w", err)
	}
	scheme := "http"
	if opts.TLS {
		if s.ca, err = newTestCA(); err != nil {
			ln.Close()
			return nil, err
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{s.ca.leaf}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	s.listener = ln
	s.url = scheme + "://" + ln.Addr().String()
	s.http = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go s.http.Serve(ln)
	return s, nil
}

// TB is the part of testing.TB that Start needs.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Start starts a server for a test and closes it when the test ends.
func Start(t TB, opts Options) *Server {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// URL is the server's base URL, such as https://127.0.0.1:40123.
func (s *Server) URL() string { return s.url }

// Host is the host:port part of URL.
func (s *Server) Host() string { return strings.SplitN(s.url, "://", 2)[1] }

// Authority is the authority URL for a tenant segment: a tenant name of the
// directory (contoso), a GUID, a domain, common, organizations or consumers.
func (s *Server) Authority(tenant string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.dir.Tenants {
		if strings.EqualFold(t.Name, tenant) {
			return s.url + "/" + t.ID
		}
	}
	return s.url + "/" + tenant
}

// DefaultAuthority is the authority of the directory's default tenant.
func (s *Server) DefaultAuthority() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url + "/" + s.defaultTenantLocked().ID
}

func (s *Server) defaultTenantLocked() *Tenant {
	for _, t := range s.dir.Tenants {
		if strings.EqualFold(t.Name, s.dir.DefaultTenant) {
			return t
		}
	}
	return s.dir.Tenants[0]
}

// Directory returns a copy of the tenants and users the server answers for.
func (s *Server) Directory() Directory {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.dir
}

// CACertPEM is the PEM of the certificate authority that signed the server's
// certificate; nil without TLS.
func (s *Server) CACertPEM() []byte {
	if s.ca == nil {
		return nil
	}
	return append([]byte(nil), s.ca.certPEM...)
}

// Client returns an HTTP client that trusts the server's certificate and
// does not follow redirects off the server (callers read the Location).
func (s *Server) Client() *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if s.ca != nil {
		transport.TLSClientConfig = &tls.Config{RootCAs: s.ca.pool, MinVersion: tls.VersionTLS12}
	}
	return &http.Client{Transport: transport, Timeout: 30 * time.Second}
}

// Close stops the server and drops its connections.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.mu.Unlock()
	s.http.Close()
}

// Now is the server's current time, including any Advance.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Server) nowLocked() time.Time { return s.opts.Now().Add(s.offset) }

// Advance moves the server's clock forward, to expire tokens and codes
// without waiting.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// requireLoopback refuses any listen address that is not on loopback: the
// emulator hands out tokens for fixed passwords and must not be reachable
// from the network.
func requireLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("idptest: listen address %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: %s: only loopback addresses (127.0.0.1, ::1, localhost) are allowed", errNotLoopback, addr)
	}
	return nil
}

// errNotLoopback is returned by New for a listen address off loopback.
var errNotLoopback = errors.New("idptest: refusing to listen on a non-loopback address")

// IsListenRefused reports whether New refused the listen address because it
// is not on loopback.
func IsListenRefused(err error) bool { return errors.Is(err, errNotLoopback) }
