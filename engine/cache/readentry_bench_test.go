package cache

import (
	"encoding/json"
	"strings"
	"testing"
)

// BenchmarkReadEntry reads one entry of each section as MSAL Python writes
// it (indented, credential_type kept, a token of about 1.5 KB): what an
// import does 40 000 times for 10 000 accounts.
func BenchmarkReadEntry(b *testing.B) {
	secret := strings.Repeat("eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9", 40)
	home := "00000042-1111-2222-3333-000000000042.72f988bf-86f1-41af-91ab-2d7cd011db47"
	realm := "72f988bf-86f1-41af-91ab-2d7cd011db47"
	entries := map[string]map[string]any{
		SectionAccessToken: {"home_account_id": home, "environment": worldwide, "client_id": azureCLI, "realm": realm,
			"target": armDefault, "secret": secret, "credential_type": "AccessToken", "token_type": "Bearer",
			"cached_at": "1700000000", "expires_on": "4000000000", "extended_expires_on": "4000000000"},
		SectionRefreshToken: {"home_account_id": home, "environment": worldwide, "client_id": azureCLI, "secret": secret[:600],
			"credential_type": "RefreshToken", "family_id": "1", "target": armDefault, "last_modification_time": "1700000000"},
		SectionIDToken: {"home_account_id": home, "environment": worldwide, "client_id": azureCLI, "realm": realm,
			"secret": secret[:1200], "credential_type": "IdToken"},
		SectionAccount: {"home_account_id": home, "environment": worldwide, "realm": realm, "local_account_id": home[:36],
			"username": "user0042@contoso.example", "authority_type": "MSSTS", "account_source": "authorization_code"},
	}
	for _, section := range []string{SectionAccessToken, SectionRefreshToken, SectionIDToken, SectionAccount} {
		raw, err := json.MarshalIndent(entries[section], "", "    ")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(section, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := ReadEntry(section, "key", raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
