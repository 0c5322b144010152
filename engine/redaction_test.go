package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"acctui/engine/cache"
)

// TestNothingPrintsASecret formats every type that holds a secret, and the
// errors of failed flows, and looks for the secrets in the output.
func TestNothingPrintsASecret(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	result := e.signIn(t, alice, "demo-alice")
	var rt string
	e.store.Read(ctx, CacheHint{}, func(cc *cache.Cache) error {
		rt = cc.FindRefreshTokens(cache.RefreshTokenQuery{HomeAccountID: result.Account.HomeAccountID})[0].Secret.Reveal()
		return nil
	})
	dc, err := e.client.InitiateDeviceFlow(ctx, graph)
	if err != nil {
		t.Fatal(err)
	}
	flow, _ := e.client.InitiateAuthCodeFlow(ctx, graph, WithRedirectURI(redirect))
	cfg := Config{ClientID: cliID, ClientSecret: "client-secret-sentinel"}

	var out bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&out, nil))
	for _, v := range []any{result, dc, flow, cfg, e.store.Snapshot()} {
		fmt.Fprintf(&out, "%v %+v %#v %s\n", v, v, v, v)
		logger.Info("value", "v", v)
	}
	_, err1 := e.client.AcquireTokenByUsernamePassword(ctx, graph, alice, "password-sentinel")
	_, err2 := e.client.AcquireTokenByRefreshToken(ctx, "refresh-sentinel", graph)
	for _, err := range []error{err1, err2} {
		fmt.Fprintf(&out, "%v %+v %#v\n", err, err, err)
	}
	secrets := map[string]string{
		"access token": result.AccessToken.Reveal(), "id token": result.IDToken.Reveal(), "refresh token": rt,
		"device code": dc.deviceCode.Reveal(), "verifier": flow.CodeVerifier, "client secret": "client-secret-sentinel",
		"password": "password-sentinel", "refresh token sent": "refresh-sentinel",
	}
	for name, secret := range secrets {
		if secret == "" {
			t.Fatalf("%s is empty", name)
		}
		if strings.Contains(out.String(), secret) {
			t.Errorf("the %s was printed", name)
		}
	}
}

func TestErrorClassification(t *testing.T) {
	tests := []struct {
		err         error
		interaction bool
	}{
		{&Error{Code: "interaction_required"}, true},
		{&Error{Code: "invalid_grant", SubError: "consent_required"}, true},
		{&Error{Code: "invalid_grant", HTTPStatus: 400, GrantType: "refresh_token"}, true},
		{&Error{Code: "invalid_grant", HTTPStatus: 400, GrantType: "password"}, false},
		{&Error{Code: "invalid_grant", SubError: "client_mismatch"}, false},
		{&Error{Code: "temporarily_unavailable", Claims: `{"access_token":{}}`}, true},
		{&Error{Code: "temporarily_unavailable", HTTPStatus: 503}, false},
		{fmt.Errorf("wrapped: %w", &Error{Code: "login_required"}), true},
		{ErrNoToken, true},
		{&ThrottledError{RetryAfter: time.Second}, false},
		{&ThrottledError{Last: &Error{Code: "temporarily_unavailable", HTTPStatus: 429}}, false},
		{errors.New("network down"), false},
	}
	for _, tt := range tests {
		if got := IsInteractionRequired(tt.err); got != tt.interaction {
			t.Errorf("IsInteractionRequired(%v) = %v", tt.err, got)
		}
	}
	e := &Error{Code: "invalid_grant", Description: "AADSTS50126: Error validating credentials.\r\nTrace ID: x\r\nCorrelation ID: y", ErrorCodes: []int{50126}}
	if e.Error() != "AADSTS50126: Error validating credentials. (invalid_grant)" {
		t.Errorf("Error() = %q", e.Error())
	}
	if !errors.Is(&Error{Code: "expired_token"}, ErrDeviceCodeExpired) || !errors.Is(&Error{Code: "authorization_declined"}, ErrDeclined) {
		t.Error("sentinels")
	}
}

func TestHeaders(t *testing.T) {
	e := newEnv(t)
	rec := &headerRecorder{next: e.srv.Client().Transport}
	client := *e.srv.Client()
	client.Transport = rec
	h := newEnvFor(t, e.srv, NewMemoryStore(nil), func(c *Config) { c.HTTPClient = &client; c.ClientCapabilities = []string{"CP1"} })
	r := h.signIn(t, alice, "demo-alice")
	claims, _ := DecodeClaimsUnverified(r.AccessToken.Reveal())
	if cc, _ := claims.Claims["xms_cc"].([]any); len(cc) != 1 || cc[0] != "CP1" {
		t.Errorf("capabilities did not reach the token: %v", claims.Claims["xms_cc"])
	}
	last := rec.seen[len(rec.seen)-1]
	for name, want := range map[string]string{
		"x-client-SKU": "acctui.Go", "x-ms-lib-capability": "retry-after, h429", "return-client-request-id": "true",
		"X-AnchorMailbox": "upn:" + alice,
	} {
		if got := last.Get(name); got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	for _, name := range []string{"x-client-Ver", "x-client-OS", "x-client-CPU", "client-request-id"} {
		if last.Get(name) == "" {
			t.Errorf("%s missing", name)
		}
	}
	h.client.AcquireTokenSilent(context.Background(), graph, r.Account, WithForceRefresh())
	if got := rec.seen[len(rec.seen)-1].Get("X-AnchorMailbox"); !strings.HasPrefix(got, "Oid:") || !strings.Contains(got, "@") {
		t.Errorf("refresh anchor %q", got)
	}
}

func TestMergeClaims(t *testing.T) {
	got, err := mergeClaims(`{"access_token":{"nbf":{"essential":true,"value":"1"}}}`, []string{"CP1"})
	if err != nil || got != `{"access_token":{"nbf":{"essential":true,"value":"1"},"xms_cc":{"values":["CP1"]}}}` {
		t.Errorf("%s %v", got, err)
	}
	if got, _ := mergeClaims("", nil); got != "" {
		t.Errorf("empty: %q", got)
	}
	if _, err := mergeClaims("not json", nil); err == nil {
		t.Error("bad claims accepted")
	}
}
