package overview

import (
	"encoding/base64"
	"testing"

	"acctui/engine"
)

// engineClaims is what IDEntry read before: the name and exp claims by
// engine.DecodeClaimsUnverified.
func engineClaims(token string) (name string, exp int64, ok bool) {
	decoded, err := engine.DecodeClaimsUnverified(token)
	if err != nil {
		return "", 0, false
	}
	name, _ = decoded.Claims["name"].(string)
	if f, isNumber := decoded.Claims["exp"].(float64); isNumber {
		exp = int64(f)
	}
	return name, exp, true
}

func jwtOf(header, claims string) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(claims)) + ".c2ln"
}

var claimCases = []string{
	`{"name":"Alice Example","exp":1800000000}`,
	`{"name":"Zoë \u001b[31m","exp":1.8e9,"aud":"x","nested":{"name":"no"}}`,
	`{"exp":"1800000000","name":7}`,
	`{"exp":null,"name":null}`,
	`{"exp":true,"name":["a"]}`,
	`{"Name":"Case","EXP":5}`,
	`{"name":"first","name":"second","exp":1,"exp":2}`,
	`{"exp":1e300}`,
	`{"exp":-3.7}`,
	`{}`,
	`null`,
	`[1,2]`,
	`{"n\u0061me":"Escaped key","\u0065xp":7}`,
	`{"a":"}{\"","b":[{"name":"inner"},"]"],"name":"after \"quotes\" and \\","exp":12}`,
	"{\"name\":\"bad \xff utf-8\",\"exp\":3}",
	`{ "name" : "spaced" , "exp" : 1.5e3 }`,
	`{"exp":1e400,"name":"too big"}`,
	`{"name":"unterminated`,
	`not json`,
}

// For every token engine.DecodeClaimsUnverified reads, idTokenClaims
// gives the same name and exp.
func TestIDTokenClaimsAsEngine(t *testing.T) {
	headers := []string{`{"alg":"RS256","typ":"JWT","kid":"k"}`, `{"alg":"ES256"}`}
	var tokens []string
	for _, h := range headers {
		for _, c := range claimCases {
			tokens = append(tokens, jwtOf(h, c), " "+jwtOf(h, c)+"\n")
		}
	}
	padded := base64.URLEncoding.EncodeToString([]byte(`{"alg":"RS256"}`)) + "." + base64.URLEncoding.EncodeToString([]byte(`{"name":"Padded","exp":42}`)) + ".c2ln"
	tokens = append(tokens, padded, "a.b", "a.b.c.d", "", "...", "eyJhbGciOiJSUzI1NiJ9..c2ln")
	read := 0
	for _, tok := range tokens {
		wantName, wantExp, wantOK := engineClaims(tok)
		if !wantOK {
			continue
		}
		read++
		name, exp, ok := idTokenClaims(tok)
		if !ok || name != wantName || exp != wantExp {
			t.Errorf("%q: got %q %d %v, engine %q %d", tok, name, exp, ok, wantName, wantExp)
		}
	}
	if read < 2*len(claimCases) {
		t.Errorf("the engine read only %d of the tokens; the test wants most", read)
	}
}

func FuzzIDTokenClaimsAsEngine(f *testing.F) {
	for _, c := range claimCases {
		f.Add(`{"alg":"RS256"}`, c)
	}
	f.Fuzz(func(t *testing.T, header, claims string) {
		tok := jwtOf(header, claims)
		wantName, wantExp, wantOK := engineClaims(tok)
		name, exp, _ := idTokenClaims(tok)
		if wantOK && (name != wantName || exp != wantExp) {
			t.Fatalf("%q: got %q %d, engine %q %d", tok, name, exp, wantName, wantExp)
		}
	})
}
