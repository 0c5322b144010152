package engine

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The fuzz targets feed hostile input to every parser that reads what the
// network or a user hands the engine. Each must fail cleanly, never panic,
// and never echo a long input back in an error.

func FuzzDecodeClaimsUnverified(f *testing.F) {
	claims := base64.RawURLEncoding.EncodeToString([]byte(`{"aud":"x","exp":1800000000,"name":"A"}`))
	f.Add("eyJhbGciOiJSUzI1NiJ9." + claims + ".c2ln")
	f.Add("a.b.c")
	f.Add("")
	f.Add("eyJhbGciOiJub25lIn0." + claims + ".")
	f.Add(strings.Repeat("A", 100) + "." + strings.Repeat("B", 100) + ".x")
	f.Fuzz(func(t *testing.T, token string) {
		decoded, err := DecodeClaimsUnverified(token)
		if err == nil && decoded.Claims == nil {
			t.Fatal("no error and no claims")
		}
		if err != nil && len(token) > 200 && strings.Contains(err.Error(), token) {
			t.Fatal("the error echoes the token")
		}
	})
}

func FuzzParseAuthority(f *testing.F) {
	for _, seed := range []string{"https://login.microsoftonline.com/common", "http://127.0.0.1:1/t", "https://h/t/v2.0", "https://[::1]:8/x", "https://a/%zz", "https://a/t?x#y", "//a/b"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		a, err := ParseAuthority(raw)
		if err != nil {
			return
		}
		if a.Tenant == "" || a.Host == "" || (a.Scheme != "https" && !isLoopbackHost(a.Environment)) {
			t.Fatalf("accepted %q as %+v", raw, a)
		}
		again, err := ParseAuthority(a.String())
		if err != nil || again != a {
			t.Fatalf("%q → %+v does not round-trip: %+v %v", raw, a, again, err)
		}
	})
}

func FuzzTokenResponse(f *testing.F) {
	f.Add([]byte(`{"token_type":"Bearer","scope":"a b","expires_in":3600,"ext_expires_in":"3600","access_token":"x","refresh_token":"y","client_info":"eyJ1aWQiOiJ1IiwidXRpZCI6InQifQ","foci":"1"}`), 200)
	f.Add([]byte(`{"error":"invalid_grant","error_description":"AADSTS50126: x","error_codes":[50126],"suberror":"bad_token","claims":"{}","error_additional_info":["client_mismatch"]}`), 400)
	f.Add([]byte(`<html>502</html>`), 502)
	f.Add([]byte(`{"expires_in":1e400}`), 200)
	f.Add([]byte(`{"error_codes":"x"}`), 400)
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		resp := &response{status: status, header: map[string][]string{"Content-Type": {"application/json"}}, body: body}
		var tr tokenResponse
		_ = decodeJSON(resp, &tr)
		if e := parseErrorBody(resp); e != nil {
			_ = e.Error()
			_ = IsInteractionRequired(e)
		}
		_, _ = decodeClientInfo(tr.ClientInfo)
	})
}

func FuzzDeviceCodeResponse(f *testing.F) {
	f.Add([]byte(`{"user_code":"ABC","device_code":"d","verification_uri":"https://x/devicelogin","expires_in":900,"interval":5,"message":"m"}`))
	f.Add([]byte(`{"interval":"-5","expires_in":"9999999999999999999"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var dc struct {
			ExpiresIn flexSeconds `json:"expires_in"`
			Interval  flexSeconds `json:"interval"`
		}
		resp := &response{status: 200, header: map[string][]string{}, body: body}
		if decodeJSON(resp, &dc) == nil {
			_ = time.Duration(dc.ExpiresIn) * time.Second
		}
	})
}

func FuzzAuthorizationResponse(f *testing.F) {
	f.Add("code=abc&state=s1&client_info=eyJ1aWQiOiJ1In0", "s1")
	f.Add("error=access_denied&error_description=AADSTS65004%3A+x&state=s1", "s1")
	f.Add("state=&code=x", "")
	f.Add("code=%zz", "s")
	f.Fuzz(func(t *testing.T, query, state string) {
		params, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		c, err := New(Config{ClientID: "c", Authority: "https://login.microsoftonline.com/common"})
		if err != nil {
			t.Fatal(err)
		}
		flow := AuthCodeFlow{State: state, Nonce: "n", CodeVerifier: "v", RedirectURI: "http://localhost:1", Scopes: []string{"s"}, Authority: "https://127.0.0.1:1/common"}
		ctx, cancel := contextWithTimeout(50 * time.Millisecond)
		defer cancel()
		_, err = c.AcquireTokenByAuthCodeFlow(ctx, flow, params, nil)
		if err == nil {
			t.Fatal("a response redeemed against a closed port")
		}
		if state == "" || params.Get("state") != state {
			if !isStateError(err) {
				t.Fatalf("state %q vs %q accepted: %v", params.Get("state"), state, err)
			}
		}
	})
}

func contextWithTimeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

func isStateError(err error) bool { return errors.Is(err, ErrStateMismatch) }

func FuzzLenientMembers(f *testing.F) {
	for _, s := range []string{`"x"`, `"`, `"a\"b"`, `12`, `-1e400`, `["a",1]`, `{"a":1}`, `"\u0000"`, "\"a\x01\"", `null`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		s := lenientString(raw)
		var want string
		if json.Unmarshal(raw, &want) == nil && s != want {
			t.Fatalf("lenientString(%q) = %q, encoding/json reads %q", raw, s, want)
		}
		_ = lenientStrings(raw)
		_ = lenientInts(raw)
		if d := boundedSeconds(string(raw)); d < 0 || d > maxLifetime {
			t.Fatalf("boundedSeconds(%q) = %v", raw, d)
		}
	})
}
