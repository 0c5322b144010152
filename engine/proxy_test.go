package engine

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// rewritingProxy sits between the engine and the emulator, like a hostile
// or broken proxy or identity provider: it can edit the form of a token
// request before the emulator sees it and the JSON of the emulator's token
// answer before the engine does. Everything else passes unchanged.
type rewritingProxy struct {
	next http.RoundTripper

	mu       sync.Mutex
	request  func(form url.Values)
	response func(body map[string]any)
	// raw replaces the token answer's body whole when set.
	raw func(body []byte) []byte
	// endpoint is the path suffix whose POSTs are rewritten; empty means
	// the token endpoint.
	endpoint string
}

func (p *rewritingProxy) set(request func(url.Values), response func(map[string]any)) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.request, p.response, p.raw = request, response, nil
}

func (p *rewritingProxy) setRaw(raw func([]byte) []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.request, p.response, p.raw = nil, nil, raw
}

func (p *rewritingProxy) RoundTrip(r *http.Request) (*http.Response, error) {
	p.mu.Lock()
	request, response, raw, endpoint := p.request, p.response, p.raw, p.endpoint
	p.mu.Unlock()
	if endpoint == "" {
		endpoint = "/oauth2/v2.0/token"
	}
	isToken := r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, endpoint)
	if !isToken {
		return p.next.RoundTrip(r)
	}
	if request != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, err
		}
		request(form)
		encoded := form.Encode()
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(strings.NewReader(encoded))
		r.ContentLength = int64(len(encoded))
	}
	resp, err := p.next.RoundTrip(r)
	if err != nil || (response == nil && raw == nil) {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	if raw != nil {
		body = raw(body)
	} else {
		var members map[string]any
		if err := json.Unmarshal(body, &members); err != nil {
			return nil, err
		}
		response(members)
		if body, err = json.Marshal(members); err != nil {
			return nil, err
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return resp, nil
}

// newProxiedEnv is an env whose client reaches the emulator through a
// rewritingProxy.
func newProxiedEnv(t *testing.T, opts ...func(*Config)) (*env, *rewritingProxy) {
	t.Helper()
	base := newEnv(t)
	proxy := &rewritingProxy{next: base.srv.Client().Transport}
	opts = append([]func(*Config){func(c *Config) { c.HTTPClient = &http.Client{Transport: proxy} }}, opts...)
	return newEnvFor(t, base.srv, base.store, opts...), proxy
}
