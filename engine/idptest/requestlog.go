package idptest

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// RequestRecord is one request the server answered, for tests that count
// calls (for example: a token served from cache sends no token request).
type RequestRecord struct {
	Time      time.Time `json:"time"`
	Method    string    `json:"method"`
	Path      string    `json:"path"`
	Endpoint  string    `json:"endpoint"`
	GrantType string    `json:"grant_type,omitempty"`
	ClientID  string    `json:"client_id,omitempty"`
	Status    int       `json:"status"`
	Fault     FaultKind `json:"fault,omitempty"`
}

// Endpoint names, used in RequestRecord and Fault.
const (
	EndpointOpenIDConfiguration = "openid-configuration"
	EndpointInstanceDiscovery   = "instance-discovery"
	EndpointUserRealm           = "userrealm"
	EndpointKeys                = "keys"
	EndpointAuthorize           = "authorize"
	EndpointLogin               = "login"
	EndpointToken               = "token"
	EndpointDeviceCode          = "devicecode"
	EndpointDeviceLogin         = "devicelogin"
	// EndpointMex and EndpointWSTrust are the emulated AD FS of federated
	// domains: its metadata exchange document and WS-Trust endpoints.
	EndpointMex     = "mex"
	EndpointWSTrust = "wstrust"
	// EndpointADFSSignIn is the emulated AD FS's browser sign-in page.
	EndpointADFSSignIn = "adfs-signin"
)

// knownEndpoints is made on first use, not in the init of every acctui
// command.
var knownEndpoints = sync.OnceValue(func() map[string]bool {
	return map[string]bool{
		EndpointOpenIDConfiguration: true, EndpointInstanceDiscovery: true, EndpointUserRealm: true,
		EndpointKeys: true, EndpointAuthorize: true, EndpointLogin: true, EndpointToken: true,
		EndpointDeviceCode: true, EndpointDeviceLogin: true, EndpointMex: true, EndpointWSTrust: true, EndpointADFSSignIn: true,
		EndpointManagedIdentity: true,
	}
})

// Requests returns the log of answered requests, oldest first.
func (s *Server) Requests() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RequestRecord(nil), s.requests...)
}

// CountRequests counts logged requests to an endpoint, and of a grant type
// when grantType is not empty.
func (s *Server) CountRequests(endpoint, grantType string) int {
	n := 0
	for _, rec := range s.Requests() {
		if rec.Endpoint == endpoint && (grantType == "" || rec.GrantType == grantType) {
			n++
		}
	}
	return n
}

// Arrived returns the requests that have come in, oldest first, answered
// or not: a test waits on it for a request that is still being served (a
// delayed answer) instead of sleeping. Status is zero; Fault names the
// fault taken for it, if any.
func (s *Server) Arrived() []RequestRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RequestRecord(nil), s.arrived...)
}

// ResetRequests empties the request log and the log of arrivals.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
	s.arrived = nil
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// formFields peeks at grant_type and client_id of a form POST and puts the
// body back for the handler.
func formFields(r *http.Request) (grantType, clientID string) {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return "", r.URL.Query().Get("client_id")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxFormBytes+1))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
	if err != nil {
		return "", ""
	}
	values, _ := url.ParseQuery(string(body))
	return values.Get("grant_type"), values.Get("client_id")
}

// endpoint wraps a handler with the request log and injected faults.
func (s *Server) endpoint(name string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		grantType, clientID := formFields(r)
		rec := &statusRecorder{ResponseWriter: w}
		record := RequestRecord{Time: s.Now(), Method: r.Method, Path: r.URL.Path, Endpoint: name, GrantType: grantType, ClientID: clientID}
		serve := true
		// Deferred, so a request whose answer a fault aborts (a panic
		// with http.ErrAbortHandler) is logged too.
		defer func() {
			record.Status = rec.status
			s.mu.Lock()
			s.requests = append(s.requests, record)
			s.mu.Unlock()
			s.log.Info("idptest", "method", r.Method, "path", r.URL.Path, "grant_type", grantType, "status", rec.status, "fault", string(record.Fault))
		}()
		f := s.takeFault(name)
		if f != nil {
			record.Fault = f.Kind
		}
		s.mu.Lock()
		s.arrived = append(s.arrived, record)
		s.mu.Unlock()
		switch {
		case f != nil && f.Kind == FaultDropAfter:
			h(&discardWriter{header: http.Header{}}, r)
			rec.status = 0
			if conn, _, err := rec.Hijack(); err == nil {
				conn.Close()
			}
			serve = false
		case f != nil:
			serve = f.apply(rec, r, s.Now())
		}
		if serve {
			h(rec, r)
		}
	}
}

// Hijack lets the drop and truncation faults take over the connection.
func (r *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	hijacker, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("idptest: connection cannot be hijacked")
	}
	return hijacker.Hijack()
}

// discardWriter takes an answer that is never sent (FaultDropAfter).
type discardWriter struct{ header http.Header }

func (d *discardWriter) Header() http.Header         { return d.header }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}
