package vault

import (
	"encoding/base64"
	"testing"

	"acctui/engine/cache"
)

func TestQuickFactAgreesWithTheCache(t *testing.T) {
	enc := base64.RawURLEncoding
	idt := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." +
		enc.EncodeToString([]byte(`{"name":"Zoë \"Z\" Example","exp":1700000000}`)) + ".c2ln"
	cases := []struct {
		name, section, val string
		quick              bool // the scanner reads it itself
	}{
		{"account", cache.SectionAccount, `{"home_account_id":"Oid.Tid","environment":"login.microsoftonline.com","realm":"tid","username":"a\u00e9@x.example","local_account_id":"oid","authority_type":"MSSTS"}`, true},
		{"access, numbers as strings", cache.SectionAccessToken, `{"home_account_id":"oid.tid","environment":"login.microsoftonline.com","client_id":"C","realm":"T","target":"b a","secret":"s","credential_type":"AccessToken","expires_on":"1700000000","cached_at":"1"}`, true},
		{"access, numbers as numbers", cache.SectionAccessToken, `{"home_account_id":"oid.tid","environment":"e","client_id":"c","realm":"t","target":"x","secret":"s","expires_on":1700000001}`, true},
		{"access, float expiry", cache.SectionAccessToken, `{"home_account_id":"oid.tid","environment":"e","client_id":"c","realm":"t","target":"x","secret":"s","expires_on":1.7e9}`, false},
		{"access, null target", cache.SectionAccessToken, `{"home_account_id":"oid.tid","environment":"e","client_id":"c","realm":"t","target":null,"secret":"s","expires_on":"5"}`, false},
		{"access, no expiry", cache.SectionAccessToken, `{"home_account_id":"oid.tid","environment":"e","client_id":"c","realm":"t","target":"x","secret":"s"}`, true},
		{"refresh", cache.SectionRefreshToken, `{"home_account_id":"oid.tid","environment":"e","client_id":"c","secret":"s","family_id":"1","last_modification_time":"42"}`, true},
		{"refresh, numeric family", cache.SectionRefreshToken, `{"home_account_id":"oid.tid","environment":"e","client_id":"c","secret":"s","family_id":1}`, false},
		{"id token with claims", cache.SectionIDToken, `{"home_account_id":"oid.tid","environment":"e","client_id":"c","realm":"t","secret":"` + idt + `"}`, true},
		{"id token that is no JWT", cache.SectionIDToken, `{"home_account_id":"oid.tid","environment":"e","client_id":"c","realm":"t","secret":"opaque"}`, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := cred{section: tc.section, key: "k", val: []byte(tc.val)}
			quick, ok := quickFact(c)
			if ok != tc.quick {
				t.Fatalf("quickFact took it: %v, want %v", ok, tc.quick)
			}
			slow, slowOK := cacheFact(c)
			if ok && (!slowOK || quick != slow) {
				t.Errorf("quick %+v\ncache %+v (%v)", quick, slow, slowOK)
			}
			if got, _ := factOf(c); slowOK && got != slow {
				t.Errorf("factOf %+v, cache %+v", got, slow)
			}
		})
	}
}
