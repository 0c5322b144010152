package cache

import (
	"encoding/json"
	"testing"
)

// TestNumbersMSALPythonReadAreAlwaysWritten: an imported access token whose
// expires_on (or cached_at) was empty, null or missing, and a refresh token
// whose last_modification_time was, are written back with a decimal in
// that member: MSAL Python reads int(entry["expires_on"]) of every access
// token and int(last_modification_time) of refresh tokens it sorts, and
// one bad entry fails its whole cache.
func TestNumbersMSALPythonReadAreAlwaysWritten(t *testing.T) {
	in := `{
	"AccessToken": {
		"a": {"credential_type":"AccessToken","secret":"s1","home_account_id":"u.t","environment":"e","client_id":"c","realm":"r","target":"x","expires_on":"","cached_at":null},
		"b": {"credential_type":"AccessToken","secret":"s2","home_account_id":"u.t","environment":"e","client_id":"c","realm":"r","target":"y","expires_on":null},
		"c": {"credential_type":"AccessToken","secret":"s3","home_account_id":"u.t","environment":"e","client_id":"c","realm":"r","target":"z"},
		"d": {"credential_type":"AccessToken","secret":"s4","home_account_id":"u.t","environment":"e","client_id":"c","realm":"r","target":"w","expires_on":"1700000000","cached_at":"1699990000","refresh_on":""}
	},
	"RefreshToken": {
		"r1": {"credential_type":"RefreshToken","secret":"rt1","home_account_id":"u.t","environment":"e","client_id":"c","target":"x","last_modification_time":null},
		"r2": {"credential_type":"RefreshToken","secret":"rt2","home_account_id":"u.t","environment":"e","client_id":"c2","target":"x","last_modification_time":""}
	}
}`
	c, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc[SectionAccessToken]) != 4 || len(doc[SectionRefreshToken]) != 2 {
		t.Fatalf("entries %d %d", len(doc[SectionAccessToken]), len(doc[SectionRefreshToken]))
	}
	for key, at := range doc[SectionAccessToken] {
		for _, member := range []string{"expires_on", "cached_at"} {
			if s, ok := at[member].(string); !ok || !isDecimal(s) {
				t.Errorf("access token %s: %s = %#v", key, member, at[member])
			}
		}
		if v, present := at["refresh_on"]; present {
			if s, ok := v.(string); !ok || !isDecimal(s) {
				t.Errorf("access token %s: refresh_on = %#v", key, v)
			}
		}
	}
	for key, rt := range doc[SectionRefreshToken] {
		if s, ok := rt["last_modification_time"].(string); !ok || !isDecimal(s) {
			t.Errorf("refresh token %s: last_modification_time = %#v", key, rt["last_modification_time"])
		}
	}
	// the known values survive
	at, ok := c.FindAccessToken(AccessTokenQuery{HomeAccountID: "u.t", Environments: []string{"e"}, ClientID: "c", Realm: "r", Scopes: []string{"w"}})
	if !ok || at.ExpiresOn != 1700000000 || at.CachedAt != 1699990000 || at.RefreshOn != 0 {
		t.Errorf("%+v", at)
	}
}

func isDecimal(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
