package engine

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"acctui/engine/idptest"
)

func TestBoundedSeconds(t *testing.T) {
	tests := map[string]time.Duration{
		"3599": 3599 * time.Second, "3599.9": 3599 * time.Second, " 60 ": time.Minute,
		"": 0, "0": 0, "-5": 0, "-1e400": 0, "NaN": 0, "abc": 0, "0x10": 0,
		"31536001": maxLifetime, "1e30": maxLifetime, "1e400": maxLifetime, "Inf": maxLifetime,
		"99999999999999999999999": maxLifetime, "9223372036854775807": maxLifetime,
	}
	for in, want := range tests {
		if got := boundedSeconds(in); got != want {
			t.Errorf("boundedSeconds(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestAbsurdLifetimesOverTheWire: lifetimes a broken or hostile answer
// states are bounded by one rule for every member, and the cache never
// holds an expiry that wrapped around.
func TestAbsurdLifetimesOverTheWire(t *testing.T) {
	const year = 365 * 24 * time.Hour
	cases := []struct {
		name                  string
		members               map[string]any
		expires, ext, refresh time.Duration // 0 refresh means none
	}{
		{"negative", map[string]any{"expires_in": -3600, "ext_expires_in": -1, "refresh_in": -1}, defaultExpiresIn, defaultExpiresIn, 0},
		{"zero", map[string]any{"expires_in": 0, "ext_expires_in": "0"}, defaultExpiresIn, defaultExpiresIn, 0},
		{"a string", map[string]any{"expires_in": "soon", "ext_expires_in": true}, defaultExpiresIn, defaultExpiresIn, 0},
		{"beyond int64 seconds", map[string]any{"expires_in": 1e30, "ext_expires_in": "99999999999999999999999", "refresh_in": 1e300}, year, year, 0},
		{"over a year", map[string]any{"expires_in": 400 * 24 * 3600, "ext_expires_in": 3600}, year, time.Hour, 0},
		{"refresh_in after expiry", map[string]any{"expires_in": 3600, "refresh_in": 7200}, time.Hour, time.Hour, 0},
		{"sane", map[string]any{"expires_in": "3600", "ext_expires_in": 7200, "refresh_in": "1800"}, time.Hour, 2 * time.Hour, 30 * time.Minute},
		{"expires_on only", map[string]any{"expires_in": nil, "ext_expires_in": nil, "expires_on": "@now+1800"}, 30 * time.Minute, 30 * time.Minute, 0},
		{"expires_on absurd", map[string]any{"expires_in": nil, "ext_expires_in": nil, "expires_on": 1e300}, year, year, 0},
		{"expires_on in the past", map[string]any{"expires_in": nil, "ext_expires_in": nil, "expires_on": 5}, defaultExpiresIn, defaultExpiresIn, 0},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			e, proxy := newProxiedEnv(t)
			now := e.clock.Now()
			proxy.set(nil, func(body map[string]any) {
				delete(body, "refresh_in")
				for k, v := range tt.members {
					if s, ok := v.(string); ok && strings.HasPrefix(s, "@now+") {
						v = now.Unix() + 1800
					}
					if v == nil {
						delete(body, k)
					} else {
						body[k] = v
					}
				}
			})
			got := e.signIn(t, alice, "demo-alice")
			near := func(at time.Time, want time.Duration) bool {
				d := at.Sub(now)
				return d > want-2*time.Second && d <= want+time.Second
			}
			if !near(got.ExpiresOn, tt.expires) || !near(got.ExtExpiresOn, tt.ext) {
				t.Errorf("expires in %v, ext %v; want %v, %v", got.ExpiresOn.Sub(now), got.ExtExpiresOn.Sub(now), tt.expires, tt.ext)
			}
			if (tt.refresh == 0) != got.RefreshOn.IsZero() || (tt.refresh != 0 && !near(got.RefreshOn, tt.refresh)) {
				t.Errorf("refresh on %v, want in %v", got.RefreshOn, tt.refresh)
			}
			cached, err := e.client.AcquireTokenSilent(context.Background(), graph, got.Account)
			wantCached := tt.expires > expiryMargin
			if wantCached && (err != nil || cached.Source != SourceCache || !cached.ExpiresOn.Equal(got.ExpiresOn)) {
				t.Errorf("served from the cache: %v %v", cached, err)
			}
		})
	}
}

// TestRetryAfterIsBounded: an absurd Retry-After neither overflows into
// "no wait" nor blocks for longer than an hour.
func TestRetryAfterIsBounded(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	tests := map[string]time.Duration{
		"30": 30 * time.Second, "99999999999999999999": maxLifetime, "9223372036854775807": maxLifetime,
		"-5": 0, "soon": 0, now.Add(2 * time.Minute).UTC().Format(http.TimeFormat): 2 * time.Minute,
	}
	for in, want := range tests {
		if got := parseRetryAfter(in, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", in, got, want)
		}
	}
	e := newEnv(t)
	first := e.signIn(t, alice, "demo-alice")
	e.srv.InjectFault(idptest.Fault{Endpoint: idptest.EndpointToken, Kind: idptest.FaultStatus, Status: 503, RetryAfterSeconds: 1 << 40})
	e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh())
	_, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh())
	var te *ThrottledError
	if !errors.As(err, &te) || te.RetryAfter <= 0 || te.RetryAfter > maxThrottle {
		t.Errorf("inside a huge Retry-After: %v", err)
	}
}
