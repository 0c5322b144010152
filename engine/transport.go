package engine

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"time"
)

const (
	// maxResponseBytes bounds what is read of any answer: token responses
	// are a few KiB, so a larger body is an error, not a memory hog.
	maxResponseBytes = 1 << 20
	defaultTimeout   = 30 * time.Second
	libraryVersion   = "0.1.0"
)

// newCorrelationID returns a random GUID for client-request-id.
func newCorrelationID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// request is one call to the identity provider.
type request struct {
	method        string
	url           string
	form          url.Values
	anchorMailbox string // X-AnchorMailbox routing hint
	correlationID string
}

// response is a read, bounded answer.
type response struct {
	status     int
	header     http.Header
	body       []byte
	retryAfter time.Duration
}

// send makes one call with MSAL's headers, a deadline, a size bound, and one
// retry when the connection could not be made. A request that may have
// reached the server is never sent again: a grant is single-use (a code
// redeemed twice fails with AADSTS54005) and a refresh token may already
// have been rotated.
func (c *Client) send(ctx context.Context, req request) (*response, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	if req.correlationID == "" {
		req.correlationID = newCorrelationID()
	}
	var lastErr error
	for attempt := 0; attempt < 2; attempt++ {
		resp, err := c.sendOnce(ctx, req)
		if err == nil {
			return resp, nil
		}
		lastErr = err
		if ctx.Err() != nil || !isConnectFailure(err) {
			break
		}
		c.log.Debug("engine: could not connect, retrying once", "url", redactURL(req.url))
	}
	return nil, lastErr
}

func (c *Client) sendOnce(ctx context.Context, req request) (*response, error) {
	var body io.Reader
	if req.form != nil {
		body = strings.NewReader(req.form.Encode())
	}
	httpReq, err := http.NewRequestWithContext(ctx, req.method, req.url, body)
	if err != nil {
		return nil, fmt.Errorf("engine: request: %w", err)
	}
	h := httpReq.Header
	if req.form != nil {
		h.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	h.Set("Accept", "application/json")
	if c.authority.isMicrosoft() {
		// Microsoft's telemetry and routing headers; a generic provider
		// gets a plain request (some refuse unknown headers in CORS-like
		// filters, none need them).
		h.Set("x-client-SKU", "acctui.Go")
		h.Set("x-client-Ver", libraryVersion)
		h.Set("x-client-OS", runtime.GOOS)
		h.Set("x-client-CPU", runtime.GOARCH)
		h.Set("client-request-id", req.correlationID)
		h.Set("return-client-request-id", "true")
		h.Set("x-ms-lib-capability", "retry-after, h429")
	}
	if req.anchorMailbox != "" && c.authority.isMicrosoft() {
		h.Set("X-AnchorMailbox", req.anchorMailbox)
	}
	start := time.Now()
	httpResp, err := c.http.Do(httpReq)
	if errors.Is(err, errRedirect) {
		return nil, fmt.Errorf("%w (%s)", errRedirect, redactURL(req.url))
	}
	if err != nil {
		return nil, &NetworkError{URL: redactURL(req.url), Err: err}
	}
	defer httpResp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(httpResp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, &NetworkError{URL: redactURL(req.url), Err: err}
	}
	if len(data) > maxResponseBytes {
		return nil, fmt.Errorf("engine: %s answered more than %d bytes; refusing to read it", redactURL(req.url), maxResponseBytes)
	}
	c.log.Debug("engine: http", "method", req.method, "url", redactURL(req.url), "status", httpResp.StatusCode,
		"correlation_id", req.correlationID, "elapsed", time.Since(start).Round(time.Millisecond))
	return &response{status: httpResp.StatusCode, header: httpResp.Header, body: data,
		retryAfter: parseRetryAfter(httpResp.Header.Get("Retry-After"), c.now())}, nil
}

// NetworkError is a failure to reach the identity provider or read its
// answer: no HTTP status was received.
type NetworkError struct {
	URL string
	Err error
}

func (e *NetworkError) Error() string {
	return fmt.Sprintf("engine: cannot reach the identity provider at %s: %v", e.URL, e.Err)
}

func (e *NetworkError) Unwrap() error { return e.Err }

// isConnectFailure reports a failure to open the connection (refused,
// unreachable, a DNS answer that did not come): the request never left, so
// one retry is safe. Resets, EOFs and timeouts after the connection was made
// are not: the server may have acted on the request.
func isConnectFailure(err error) bool {
	var netErr *NetworkError
	if !errors.As(err, &netErr) {
		return false
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return opErr.Op == "dial" && !opErr.Timeout()
	}
	var dnsErr *net.DNSError
	return errors.As(err, &dnsErr) && dnsErr.IsTemporary
}

// parseRetryAfter reads a Retry-After header: seconds (bounded like every
// lifetime, see boundedSeconds) or an HTTP date.
func parseRetryAfter(value string, now time.Time) time.Duration {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0
	}
	if isDecimal(value) {
		return boundedSeconds(value)
	}
	if t, err := http.ParseTime(value); err == nil && t.After(now) {
		return min(t.Sub(now), maxLifetime)
	}
	return 0
}

// isDecimal reports a run of ASCII digits, the delay-seconds form.
func isDecimal(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// redactURL drops the query string, where codes or hints could sit, from a
// URL that goes into a log or an error.
func redactURL(raw string) string {
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		return raw[:i]
	}
	return raw
}

// decodeJSON reads an answer that should be JSON, with a clear error when a
// proxy or gateway sent something else.
func decodeJSON(resp *response, into any) error {
	if err := json.Unmarshal(resp.body, into); err != nil {
		ct := resp.header.Get("Content-Type")
		if strings.Contains(ct, "html") || strings.HasPrefix(strings.TrimSpace(string(resp.body)), "<") {
			return fmt.Errorf("engine: the identity provider answered HTTP %d with an HTML page instead of JSON (a proxy or outage?)", resp.status)
		}
		return fmt.Errorf("engine: the identity provider answered HTTP %d with malformed JSON: %w", resp.status, err)
	}
	return nil
}
