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

func TestClaimsShowsWhatDecodeShows(t *testing.T) {
	now := time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)
	iat := float64(now.Add(-time.Hour).Unix())
	time.Local = time.UTC
	got := ansi.Strip(Claims(themes.NewStyles(themes.Plain()), map[string]any{
		"iat":     iat,
		"exp":     iat + 7200,
		"pwd_exp": float64(30 * 24 * 3600), // seconds from iat, per MS-OIDCE
		"amr":     []any{"pwd", "mfa"},
		"name":    "Eve\x1b]52;c;aGk=\x07",
	}, now, 10, 120))
	for _, want := range []string{
		fmt.Sprintf("  exp      %d  (2030-01-01 13:00:00 UTC, in 1h00m)", int64(iat+7200)),
		"  pwd_exp  2592000  (password expires 2030-01-31 11:00:00 UTC, in 29d23h)",
		`  amr      ["pwd","mfa"]`,
		`  name     Eve\x1b]52;c;aGk=\x07`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("claims do not show %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "\x1b") {
		t.Errorf("an ESC from the token reached the screen:\n%q", got)
	}
}
