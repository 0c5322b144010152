package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"acctui/engine/cache"
)

const (
	// default429Wait applies when a 429 names no Retry-After, as MSAL
	// Python does for public clients.
	default429Wait = 60 * time.Second
	maxThrottle    = time.Hour
)

// throttleEntry remembers an answer that asked clients to wait.
type throttleEntry struct {
	Until int64  `json:"until"`
	Last  *Error `json:"last"`
}

// throttleKey identifies "the same request": endpoint, app, scopes and the
// credential used, hashed so no secret is kept.
func throttleKey(endpoint string, form url.Values) string {
	h := sha256.New()
	for _, k := range []string{"client_id", "scope", "grant_type", "refresh_token", "code", "username", "device_code"} {
		h.Write([]byte(k + "=" + form.Get(k) + "\n"))
	}
	return "throttle|" + endpoint + "|" + hex.EncodeToString(h.Sum(nil))[:32]
}

// checkThrottle returns a ThrottledError while an earlier answer's wait
// lasts, from memory or from the cache (so another process's 429 counts).
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
	if ok && entry.Until > now.Unix() {
		return &ThrottledError{RetryAfter: time.Unix(entry.Until, 0).Sub(now), Last: entry.Last}
	}
	return nil
}

// noteThrottle starts a wait when the identity provider asked for one.
func (c *Client) noteThrottle(ctx context.Context, key string, resp *response, e *Error) {
	wait := resp.retryAfter
	if resp.status == http.StatusTooManyRequests && wait == 0 {
		wait = default429Wait
	}
	if wait <= 0 || (resp.status != http.StatusTooManyRequests && resp.status < 500) {
		return
	}
	if wait > maxThrottle {
		wait = maxThrottle
	}
	entry := throttleEntry{Until: c.now().Add(wait).Unix(), Last: e}
	c.mu.Lock()
	c.throttled[key] = entry
	c.mu.Unlock()
	raw, _ := json.Marshal(entry)
	_ = c.store.Write(ctx, CacheHint{Shared: true}, func(cc *cache.Cache) error {
		return cc.SetMetadata(key, raw, entry.Until)
	})
}
