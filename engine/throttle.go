package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"time"

	"acctui/engine/cache"
)

const (
	// defaultThrottleWait applies when a 429 or a 5xx names no
	// Retry-After, as MSAL Python does for public clients.
	defaultThrottleWait = 60 * time.Second
	maxThrottle         = time.Hour
	// badRequestMemory is how long an HTTP 400 answers an identical
	// request without sending it, as MSAL Python's http cache keeps it:
	// the same grant with the same parameters gets the same refusal.
	badRequestMemory = 60 * time.Second
)

// throttleEntry remembers an answer that asked clients to wait, or a 400
// that an identical request would get again.
type throttleEntry struct {
	Until int64  `json:"until"`
	Last  *Error `json:"last"`
	// Replay answers the request with Last itself (a remembered 400)
	// rather than with a ThrottledError.
	Replay bool `json:"replay,omitempty"`
}

// throttleKey identifies "the same request" for 429 and 5xx waits:
// endpoint, app, scopes and the credential used, hashed so no secret is
// kept.
func throttleKey(endpoint string, form url.Values) string {
	h := sha256.New()
	for _, k := range []string{"client_id", "scope", "grant_type", "refresh_token", "code", "username", "device_code"} {
		h.Write([]byte(k + "=" + form.Get(k) + "\n"))
	}
	return "throttle|" + endpoint + "|" + hex.EncodeToString(h.Sum(nil))[:32]
}

// badRequestKey identifies an identical request for the 400 memory: the
// endpoint and every parameter, hashed.
func badRequestKey(endpoint string, form url.Values) string {
	h := sha256.New()
	names := make([]string, 0, len(form))
	for k := range form {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range form[k] {
			h.Write([]byte(url.QueryEscape(k) + "=" + url.QueryEscape(v) + "&"))
		}
	}
	return "http400|" + endpoint + "|" + hex.EncodeToString(h.Sum(nil))[:32]
}

// checkThrottle answers without a network call while an earlier answer
// still holds: a ThrottledError during a wait, the remembered *Error for a
// repeated 400. It looks in memory, then in the cache, so another
// process's answer counts too.
func (c *Client) checkThrottle(ctx context.Context, key string) error {
	now := c.now()
	c.mu.Lock()
	entry, ok := c.throttled[key]
	c.mu.Unlock()
	if !ok {
		_ = c.store.Read(ctx, CacheHint{Shared: true}, func(cc *cache.Cache) error {
			if raw, found := cc.Metadata(key, now.Unix()); found {
				ok = json.Unmarshal(raw, &entry) == nil
			}
			return nil
		})
	}
	if !ok || entry.Until <= now.Unix() {
		return nil
	}
	if entry.Replay && entry.Last != nil {
		replayed := *entry.Last
		return &replayed
	}
	return &ThrottledError{RetryAfter: time.Unix(entry.Until, 0).Sub(now), Last: entry.Last}
}

// noteThrottle remembers an answer the next identical request must not be
// sent for: 429, 5xx or any Retry-After (wait that long, 60 s by default,
// an hour at most), and a plain 400 (replayed for 60 s) unless the grant
// is a device-code poll, whose 400s are the normal "not yet". A 400 of a
// password grant is kept in this process only, so no hash of a password
// reaches the cache file.
func (c *Client) noteThrottle(ctx context.Context, form url.Values, endpoint string, resp *response, e *Error) {
	wait := resp.retryAfter
	key := throttleKey(endpoint, form)
	replay := false
	switch {
	case resp.status == http.StatusTooManyRequests || resp.status >= 500:
		if wait <= 0 {
			wait = defaultThrottleWait
		}
	case wait > 0:
		// any other answer with a Retry-After
	case resp.status == http.StatusBadRequest && form.Get("grant_type") != deviceCodeGrant:
		wait, key, replay = badRequestMemory, badRequestKey(endpoint, form), true
	default:
		return
	}
	if wait > maxThrottle {
		wait = maxThrottle
	}
	entry := throttleEntry{Until: c.now().Add(wait).Unix(), Last: e, Replay: replay}
	c.mu.Lock()
	c.throttled[key] = entry
	c.mu.Unlock()
	if replay && form.Has("password") {
		return
	}
	raw, _ := json.Marshal(entry)
	_ = c.store.Write(ctx, CacheHint{Shared: true}, func(cc *cache.Cache) error {
		return cc.SetMetadata(key, raw, entry.Until)
	})
}
