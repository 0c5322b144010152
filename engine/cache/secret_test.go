package cache

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

const sentinel = "SENTINEL-7f3a-do-not-print"

func sentinelCache(t *testing.T) *Cache {
	t.Helper()
	c := New()
	h, e, cl := "h", "e", "c"
	for _, err := range []error{
		c.SaveAccessToken(AccessToken{HomeAccountID: h, Environment: e, ClientID: cl, Secret: sentinel}),
		c.SaveRefreshToken(RefreshToken{HomeAccountID: h, Environment: e, ClientID: cl, Secret: sentinel}, 1),
		c.SaveIDToken(IDToken{HomeAccountID: h, Environment: e, ClientID: cl, Secret: sentinel}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func TestSecretRedactedInFmt(t *testing.T) {
	c := sentinelCache(t)
	at, _ := c.FindAccessToken(AccessTokenQuery{HomeAccountID: "h"})
	rts := c.FindRefreshTokens(RefreshTokenQuery{HomeAccountID: "h"})
	it, _ := c.FindIDToken(IDTokenQuery{HomeAccountID: "h"})
	values := map[string]any{
		"secret":        Secret(sentinel),
		"access token":  at,
		"*access token": &at,
		"refresh slice": rts,
		"id token":      it,
		"*cache":        c,
		"cache value":   *c,
		"nested":        struct{ Tokens []AccessToken }{[]AccessToken{at}},
	}
	for name, v := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			if out := fmt.Sprintf(verb, v); strings.Contains(out, sentinel) {
				t.Errorf("%s with %s printed the secret: %s", name, verb, out)
			}
		}
	}
	if got := fmt.Sprint(Secret(sentinel)); got != "[redacted]" {
		t.Errorf("Secret prints %q", got)
	}
	err := fmt.Errorf("engine: refresh: %v: %w", rts[0], errors.New("boom"))
	if strings.Contains(err.Error(), sentinel) {
		t.Errorf("error text has the secret: %v", err)
	}
}

func TestSecretRedactedInSlog(t *testing.T) {
	c := sentinelCache(t)
	at, _ := c.FindAccessToken(AccessTokenQuery{HomeAccountID: "h"})
	rt := c.FindRefreshTokens(RefreshTokenQuery{HomeAccountID: "h"})[0]
	it, _ := c.FindIDToken(IDTokenQuery{HomeAccountID: "h"})
	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		log := slog.New(h)
		log.Info("tokens", "at", at, "ptr", &at, "rt", rt, "it", it, "secret", Secret(sentinel), "cache", c)
		log.Info("attrs", slog.Any("at", at), slog.Any("s", Secret(sentinel)))
	}
	if strings.Contains(buf.String(), sentinel) {
		t.Errorf("slog printed the secret:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), "[redacted]") {
		t.Errorf("slog output lacks the redaction marker:\n%s", buf.String())
	}
}

func TestSecretJSONIsReal(t *testing.T) {
	out, err := json.Marshal(struct{ S Secret }{sentinel})
	if err != nil || !strings.Contains(string(out), sentinel) {
		t.Errorf("Secret must marshal to its value: %s %v", out, err)
	}
	var s Secret
	if err := json.Unmarshal([]byte(`"v"`), &s); err != nil || s.Reveal() != "v" {
		t.Errorf("unmarshal: %v", err)
	}
	cacheJSON, _ := sentinelCache(t).Marshal()
	if strings.Count(string(cacheJSON), sentinel) != 3 {
		t.Error("Marshal must write the three secrets")
	}
}

// TestParseErrorsHideSecrets feeds broken files holding the sentinel in
// every position a value can be and checks no error message repeats it.
func TestParseErrorsHideSecrets(t *testing.T) {
	inputs := []string{
		`{"AccessToken": {"k": {"secret": "` + sentinel + `", "expires_on": "` + sentinel + `"}}}`,
		`{"AccessToken": {"k": {"secret": ["` + sentinel + `"]}}}`,
		`{"RefreshToken": {"k": {"secret": "` + sentinel + `", "client_id": 1}}}`,
		`{"IdToken": {"k": {"secret": "` + sentinel + `" "x": 1}}}`,
		`{"IdToken": {"k": {"secret": "` + sentinel + `\x"}}}`,
		`{"IdToken": {"k": {"secret": "` + sentinel,
		`{"AccessToken": {"k": {"secret": "` + sentinel + `"}}} trailing`,
		`{"AccessToken": {"k": {"secret": ` + sentinel + `}}}`,
	}
	for _, in := range inputs {
		_, err := Parse([]byte(in))
		if err == nil {
			t.Errorf("no error for %q", in)
			continue
		}
		if strings.Contains(err.Error(), sentinel) || strings.Contains(err.Error(), "SENTINEL") {
			t.Errorf("error reveals the secret: %v", err)
		}
	}
}
