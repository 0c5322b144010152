package engine

import (
	"encoding/json"
	"testing"
)

var benchTokenAnswer = []byte(`{"token_type":"Bearer","scope":"https://graph.microsoft.com/.default openid profile offline_access","expires_in":3599,"ext_expires_in":3599,"refresh_in":1800,"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln","refresh_token":"0.AAAA-refresh","id_token":"eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJ4In0.c2ln","client_info":"eyJ1aWQiOiJ1IiwidXRpZCI6InQifQ","foci":"1"}`)

// BenchmarkTokenAnswerDecode reads a token answer member by member, the
// tolerant way; BenchmarkTokenAnswerDecodeStrict is the same answer into a
// plain struct, the baseline it costs against.
func BenchmarkTokenAnswerDecode(b *testing.B) {
	for b.Loop() {
		var tr tokenResponse
		if err := json.Unmarshal(benchTokenAnswer, &tr); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTokenAnswerDecodeStrict(b *testing.B) {
	type strict struct {
		TokenType    string `json:"token_type"`
		Scope        string `json:"scope"`
		ExpiresIn    int64  `json:"expires_in"`
		ExtExpiresIn int64  `json:"ext_expires_in"`
		RefreshIn    int64  `json:"refresh_in"`
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
		ClientInfo   string `json:"client_info"`
		Foci         string `json:"foci"`
	}
	for b.Loop() {
		var tr strict
		if err := json.Unmarshal(benchTokenAnswer, &tr); err != nil {
			b.Fatal(err)
		}
	}
}
