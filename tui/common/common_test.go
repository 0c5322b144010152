package common

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"acctui/engine"
	"acctui/overview"
	"acctui/themes"
)

func TestExplain(t *testing.T) {
	mfa := &engine.Error{Code: "interaction_required", Description: "AADSTS50076: MFA", ErrorCodes: []int{50076}}
	ca := &engine.Error{Code: "invalid_grant", Description: "AADSTS530003: blocked", ErrorCodes: []int{530003}}
	revoked := &engine.Error{Code: "invalid_grant", Description: "AADSTS50173: revoked", ErrorCodes: []int{50173}}
	tests := []struct {
		name     string
		err      error
		method   Method
		wantNext string
		signIn   bool
	}{
		{"MFA with password", mfa, MethodPassword, "use browser or device code", true},
		{"MFA on refresh", mfa, MethodRefresh, "sign in again", true},
		{"CA blocks device code", ca, MethodDevice, "use the browser", true},
		{"CA in browser", ca, MethodBrowser, "compliant device", true},
		{"revoked", fmt.Errorf("wrapped: %w", revoked), MethodRefresh, "sign in again", true},
		{"wrong password", &engine.Error{Code: "invalid_grant", ErrorCodes: []int{50126}}, MethodPassword, "check the username and password", true},
		{"no token", engine.ErrNoToken, MethodRefresh, "sign in again", true},
		{"device code expired", engine.ErrDeviceCodeExpired, MethodDevice, "start the device code sign-in again", false},
		{"browser timeout", engine.ErrTimeout, MethodBrowser, "use device code", false},
		{"deadline", context.DeadlineExceeded, MethodRefresh, "took too long", false},
		{"throttled", &engine.ThrottledError{RetryAfter: 30 * time.Second}, MethodRefresh, "retry in 30s", false},
		{"vault", errors.New("wrong passphrase"), MethodUnlock, "check the passphrase", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, next := Explain(tt.err, tt.method)
			if msg == "" || !strings.Contains(next, tt.wantNext) {
				t.Fatalf("Explain = %q, %q; want next step with %q", msg, next, tt.wantNext)
			}
			if got := NeedsSignIn(tt.err); got != tt.signIn {
				t.Fatalf("NeedsSignIn = %v, want %v", got, tt.signIn)
			}
		})
	}
}

func TestBadgeReadsWithoutColour(t *testing.T) {
	s := themes.NewStyles(themes.Plain())
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		status overview.Status
		exp    time.Time
		want   string
	}{
		{overview.StatusValid, now.Add(42 * time.Minute), "✓ valid 42m00s"},
		{overview.StatusExpiring, now.Add(3 * time.Minute), "! expiring 3m00s"},
		{overview.StatusRefreshable, time.Time{}, "↻ refreshable"},
		{overview.StatusSignInNeeded, time.Time{}, "✗ sign in"},
		{overview.StatusExpired, now.Add(-time.Minute), "✗ expired"},
		{overview.StatusHeld, time.Time{}, "● held"},
	}
	for _, tt := range tests {
		if got := ansi.Strip(Badge(s, tt.status, tt.exp, now)); got != tt.want {
			t.Errorf("Badge(%s) = %q, want %q", tt.status, got, tt.want)
		}
	}
}

func TestLiveStatus(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	rt := []overview.Token{{Kind: overview.KindRefresh, Status: overview.StatusHeld}}
	tests := []struct {
		name string
		acct overview.Account
		want overview.Status
	}{
		{"valid", overview.Account{Status: overview.StatusValid, ExpiresOn: now.Add(time.Hour)}, overview.StatusValid},
		{"now expiring", overview.Account{Status: overview.StatusValid, ExpiresOn: now.Add(time.Minute)}, overview.StatusExpiring},
		{"expired, refreshable", overview.Account{Status: overview.StatusValid, ExpiresOn: now.Add(-time.Minute), Tokens: rt}, overview.StatusRefreshable},
		{"expired, nothing to refresh", overview.Account{Status: overview.StatusExpiring, ExpiresOn: now.Add(-time.Minute)}, overview.StatusSignInNeeded},
		{"sign-in stays", overview.Account{Status: overview.StatusSignInNeeded}, overview.StatusSignInNeeded},
	}
	for _, tt := range tests {
		if got := LiveStatus(tt.acct, now); got != tt.want {
			t.Errorf("%s: LiveStatus = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestClaimValue(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"exp", float64(now.Add(time.Hour).Unix()), "2030-01-01 13:00:00 UTC (in 1h00m)"},
		{"ver", "2.0", "2.0"},
		{"amr", []any{"pwd", "mfa"}, "pwd, mfa"},
		{"n", float64(42), "42"},
		{"obj", map[string]any{"a": 1.0}, `{"a":1}`},
	}
	time.Local = time.UTC
	for _, tt := range tests {
		if got := ClaimValue(tt.name, tt.v, now); got != tt.want {
			t.Errorf("ClaimValue(%s) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
