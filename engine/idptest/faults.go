package idptest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultKind is how an injected fault breaks a response.
type FaultKind string

// The faults a test can inject, each standing for something real identity
// providers and the networks in front of them do.
const (
	// FaultStatus answers with Status (default 500) and an Entra error
	// body, with a Retry-After header when RetryAfterSeconds is set.
	FaultStatus FaultKind = "status"
	// FaultDelay waits DelayMillis, then answers normally.
	FaultDelay FaultKind = "delay"
	// FaultMalformedJSON answers 200 with a body that is not JSON.
	FaultMalformedJSON FaultKind = "malformed_json"
	// FaultHTML answers with an HTML error page, as a proxy or gateway does.
	FaultHTML FaultKind = "html"
	// FaultDrop closes the connection without an answer.
	FaultDrop FaultKind = "drop"
	// FaultTruncated promises a longer body than it sends, then closes.
	FaultTruncated FaultKind = "truncated"
	// FaultOversize answers 200 with Size bytes (default 8 MiB) of JSON.
	FaultOversize FaultKind = "oversize"
	// FaultRedirect answers 307 to the same path on another host, as a
	// hijacked proxy would.
	FaultRedirect FaultKind = "redirect"
	// FaultDropAfter serves the request (a code is redeemed, a refresh
	// token used), then closes the connection before the answer: a reset
	// after the server acted, which a client must not paper over by
	// sending the request again (a second code redemption fails with
	// AADSTS54005).
	FaultDropAfter FaultKind = "drop_after"
)

// Fault makes the next Count requests to an endpoint fail. Endpoint names
// are those of RequestRecord.Endpoint; empty means every endpoint.
type Fault struct {
	Endpoint          string    `json:"endpoint"`
	Kind              FaultKind `json:"kind"`
	Count             int       `json:"count"`
	Status            int       `json:"status,omitempty"`
	RetryAfterSeconds int       `json:"retry_after_seconds,omitempty"`
	DelayMillis       int       `json:"delay_ms,omitempty"`
	Size              int       `json:"size,omitempty"`
}

type activeFault struct {
	Fault
	remaining int
}

func (f Fault) validate() error {
	switch f.Kind {
	case FaultStatus, FaultDelay, FaultMalformedJSON, FaultHTML, FaultDrop, FaultTruncated, FaultOversize, FaultRedirect, FaultDropAfter:
	default:
		return fmt.Errorf("idptest: unknown fault kind %q", f.Kind)
	}
	if f.Endpoint != "" && !knownEndpoints()[f.Endpoint] {
		return fmt.Errorf("idptest: unknown endpoint %q", f.Endpoint)
	}
	return nil
}

// InjectFault makes the next requests to an endpoint fail as described.
func (s *Server) InjectFault(f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	if f.Count <= 0 {
		f.Count = 1
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &activeFault{Fault: f, remaining: f.Count})
	return nil
}

// ClearFaults drops every fault not yet used.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns the fault that applies to this request, using it up.
func (s *Server) takeFault(endpoint string) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Endpoint == "" || f.Endpoint == endpoint {
			f.remaining--
			if f.remaining <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			fault := f.Fault
			return &fault
		}
	}
	return nil
}

// apply breaks the response. It reports whether the request should still be
// served normally (only after a delay).
func (f *Fault) apply(w http.ResponseWriter, r *http.Request, now time.Time) (serve bool) {
	switch f.Kind {
	case FaultDelay:
		timer := time.NewTimer(time.Duration(f.DelayMillis) * time.Millisecond)
		defer timer.Stop()
		select {
		case <-timer.C:
			return true
		case <-r.Context().Done():
			// The client gave up. Returning would make net/http send
			// an empty 200, which a client racing its own deadline can
			// take for an answer: abort the response instead.
			panic(http.ErrAbortHandler)
		}
	case FaultStatus:
		status := f.Status
		if status == 0 {
			status = http.StatusInternalServerError
		}
		if f.RetryAfterSeconds > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfterSeconds))
		}
		kind, code := "server_error", 90033
		switch {
		case status == http.StatusTooManyRequests:
			kind, code = "temporarily_unavailable", 90055
		case status == http.StatusServiceUnavailable:
			kind, code = "temporarily_unavailable", 90006
		}
		newOAuthError(status, kind, code, fmt.Sprintf("The service is unavailable (injected fault, HTTP %d).", status)).write(w, r, now)
	case FaultMalformedJSON:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"token_type":"Bearer","access_token":`))
	case FaultHTML:
		status := f.Status
		if status == 0 {
			status = http.StatusBadGateway
		}
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, "<html><head><title>%d Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p></body></html>", status)
	case FaultDrop, FaultTruncated:
		hijacker, ok := w.(http.Hijacker)
		if !ok {
			panic(http.ErrAbortHandler)
		}
		conn, buf, err := hijacker.Hijack()
		if err != nil {
			return false
		}
		if f.Kind == FaultTruncated {
			_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"token_type\":\"Bearer\",\"acc")
			_ = buf.Flush()
		}
		conn.Close()
	case FaultRedirect:
		w.Header().Set("Location", "https://attacker.invalid"+r.URL.Path)
		w.WriteHeader(http.StatusTemporaryRedirect)
	case FaultOversize:
		size := f.Size
		if size == 0 {
			size = 8 << 20
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"padding":"`))
		chunk := []byte(strings.Repeat("x", 32<<10))
		for written := 0; written < size; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return false
			}
		}
		_, _ = w.Write([]byte(`"}`))
	}
	return false
}
