package cache

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse checks that Parse never panics and that whatever it accepts
// marshals, re-parses and marshals again to the same bytes.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"msal_python.json", "msal_go.json", "v1_uppercase.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, seed := range []string{
		``, `{}`, `[]`, `null`, `{"AccessToken":null}`,
		`{"AccessToken":{"k":{"environment":"e","client_id":"c","cached_at":1}}}`,
		`{"RefreshToken":{"A-B-refreshtoken-1":{"home_account_id":"A","environment":"B","client_id":"c","family_id":"1"}}}`,
		`{"Account":{"x":{"home_account_id":null,"environment":"e"}},"Z":[1,{"a":"\u2028"}]}`,
		`{"AcctuiMetadata":{"k":{"value":null,"expires_on":"9"}}}`,
		`{"IdToken":{"k":{"secret":"\xff","credential_type":"PoP"}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		first, err := c.Marshal()
		if err != nil {
			t.Fatalf("Marshal of a parsed cache: %v", err)
		}
		c2, err := Parse(first)
		if err != nil {
			t.Fatalf("re-parse of own output: %v\n%s", err, first)
		}
		second, err := c2.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("not idempotent:\n%s\n---\n%s", first, second)
		}
		if c2.Len() != c.Len() {
			t.Fatalf("Len %d after round trip, want %d", c2.Len(), c.Len())
		}
	})
}
