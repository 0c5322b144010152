package vault

import (
	"encoding/json"
	"testing"
)

// TestParseManifest: the scanner reads what encoding/json writes, and
// refuses what is not a manifest.
func TestParseManifest(t *testing.T) {
	for _, want := range []manifest{{}, {Generation: 1 << 40, Accounts: 50000, Shared: 3}} {
		js, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseManifest(js)
		if err != nil || got != want {
			t.Errorf("parseManifest(%s) = %+v, %v", js, got, err)
		}
	}
	for _, bad := range []string{``, `[]`, `{"generation":-1}`, `{"accounts":"3"}`, `{"shared":1.5}`, `{"generation":1`} {
		if m, err := parseManifest([]byte(bad)); err == nil {
			t.Errorf("parseManifest(%s) = %+v, want an error", bad, m)
		}
	}
}
