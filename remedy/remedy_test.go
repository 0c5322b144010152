package remedy

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"acctui/engine"
)

func TestFor(t *testing.T) {
	mfa := &engine.Error{Code: "interaction_required", ErrorCodes: []int{50076}, Claims: `{"access_token":{}}`}
	tests := []struct {
		name string
		err  error
		flow Flow
		want Remedy
	}{
		{"nothing", nil, FlowSilent, Remedy{}},
		{"throttled", &engine.ThrottledError{RetryAfter: 30 * time.Second}, FlowSilent, Remedy{Kind: Wait, Wait: 30 * time.Second}},
		{"429 without a wait", &engine.Error{HTTPStatus: 429}, FlowSilent, Remedy{Kind: Wait, Wait: time.Minute}},
		{"503 with a wait", &engine.Error{HTTPStatus: 503, RetryAfter: 2 * time.Minute}, FlowSilent, Remedy{Kind: Wait, Wait: 2 * time.Minute}},
		{"wrong password", &engine.Error{Code: "invalid_grant", ErrorCodes: []int{50126}, GrantType: "password"}, FlowPassword, Remedy{Kind: CheckPassword}},
		{"MFA by password", mfa, FlowPassword, Remedy{Kind: UseBrowserOrDevice, Claims: mfa.Claims}},
		{"MFA on refresh", mfa, FlowSilent, Remedy{Kind: ClaimsChallenge, Claims: mfa.Claims}},
		{"CA blocks device code", &engine.Error{ErrorCodes: []int{530003}}, FlowDevice, Remedy{Kind: UseBrowser}},
		{"CA blocks a browser sign-in", &engine.Error{ErrorCodes: []int{53003}}, FlowBrowser, Remedy{Kind: CompliantDevice}},
		{"disabled", &engine.Error{ErrorCodes: []int{50057}}, FlowPassword, Remedy{Kind: AccountDisabled}},
		{"unknown app", &engine.Error{ErrorCodes: []int{700016}}, FlowOther, Remedy{Kind: UnknownApp}},
		{"unknown tenant", &engine.Error{ErrorCodes: []int{90002}}, FlowOther, Remedy{Kind: UnknownTenant}},
		{"wrong tenant", &engine.Error{ErrorCodes: []int{50020}}, FlowSilent, Remedy{Kind: WrongTenant}},
		{"bad scope", &engine.Error{ErrorCodes: []int{28000}}, FlowSilent, Remedy{Kind: BadScope}},
		{"consent", &engine.Error{Code: "invalid_grant", SubError: "consent_required"}, FlowSilent, Remedy{Kind: Consent}},
		{"revoked", &engine.Error{Code: "invalid_grant", ErrorCodes: []int{50173}, GrantType: "refresh_token"}, FlowSilent, Remedy{Kind: SignInAgain}},
		{"server", &engine.Error{Code: "server_error", HTTPStatus: 500}, FlowSilent, Remedy{Kind: ServerProblem}},
		{"no token", fmt.Errorf("wrapped: %w", engine.ErrNoToken), FlowSilent, Remedy{Kind: SignInAgain}},
		{"code expired", &engine.Error{Code: "expired_token"}, FlowDevice, Remedy{Kind: CodeExpired}},
		{"declined", engine.ErrDeclined, FlowBrowser, Remedy{Kind: Declined}},
		{"browser timeout", engine.ErrTimeout, FlowBrowser, Remedy{Kind: BrowserTimeout}},
		{"network", &engine.NetworkError{URL: "https://x", Err: errors.New("refused")}, FlowSilent, Remedy{Kind: Network}},
		{"deadline", context.DeadlineExceeded, FlowSilent, Remedy{Kind: TooSlow}},
		{"cancelled", context.Canceled, FlowSilent, Remedy{Kind: Cancelled}},
		{"unknown", errors.New("x"), FlowSilent, Remedy{}},
	}
	for _, tt := range tests {
		if got := For(tt.err, tt.flow); got != tt.want {
			t.Errorf("%s: For = %+v, want %+v", tt.name, got, tt.want)
		}
	}
}
