package engine

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"
)

func TestParseClaimsChallenge(t *testing.T) {
	const claims = `{"access_token":{"nbf":{"essential":true,"value":"1706109744"}}}`
	b64url := base64.RawURLEncoding.EncodeToString([]byte(claims))
	b64std := base64.StdEncoding.EncodeToString([]byte(claims))
	header := `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="` + b64std + `"`
	ok := []struct{ name, in string }{
		{"json", claims},
		{"json with spaces", "  " + claims + "\n"},
		{"base64url", b64url},
		{"base64 padded", b64std},
		{"header value", header},
		{"header line", "WWW-Authenticate: " + header},
		{"unquoted claims param", `Bearer error=insufficient_claims, claims=` + b64url},
		{"quoted json param", `Bearer claims="{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1706109744\"}}}", error="insufficient_claims"`},
		{"second challenge", `PoP nonce="abc", Bearer realm="", claims="` + b64url + `"`},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseClaimsChallenge(tt.in)
			if err != nil || got != claims {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
	bad := []string{"", "   ", "not claims", "eyJub3QganNvbg", `Bearer realm="", error="invalid_token"`, `["a"]`, "bnVsbA", `Bearer claims="bm90IGpzb24="`}
	for _, in := range bad {
		if got, err := ParseClaimsChallenge(in); !errors.Is(err, ErrClaimsChallenge) {
			t.Errorf("ParseClaimsChallenge(%q) = %q, %v", in, got, err)
		}
	}
}

// TestClaimsChallengeFormsOverTheWire satisfies the emulator's claims
// challenge with each form a resource hands out.
func TestClaimsChallengeFormsOverTheWire(t *testing.T) {
	forms := map[string]func(string) string{
		"json":      func(c string) string { return c },
		"base64url": func(c string) string { return base64.RawURLEncoding.EncodeToString([]byte(c)) },
		"header value": func(c string) string {
			return `Bearer realm="", error="insufficient_claims", claims="` + base64.StdEncoding.EncodeToString([]byte(c)) + `"`
		},
	}
	for name, form := range forms {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.ClientCapabilities = []string{"CP1"} })
			first := e.signIn(t, alice, "demo-alice")
			claims, err := e.srv.RequireClaimsChallenge(alice, false)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh()); !IsInteractionRequired(err) {
				t.Fatalf("without the claims: %v", err)
			}
			got, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithClaims(form(claims)))
			if err != nil || got.Source != SourceIdentityProvider {
				t.Fatalf("with the claims as %s: %v %v", name, got, err)
			}
		})
	}
	e := newEnv(t)
	first := e.signIn(t, alice, "demo-alice")
	e.srv.ResetRequests()
	if _, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithClaims("not a challenge")); !errors.Is(err, ErrClaimsChallenge) {
		t.Fatalf("a bad challenge: %v", err)
	}
	if n := e.tokenCalls(""); n != 0 {
		t.Errorf("a bad challenge sent %d token requests", n)
	}
}
