package vault

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"acctui/engine/cache"
)

// FuzzImportPartsEqualWholeParse checks that cutting a file into per-account
// parts and parsing each alone (the import's way) gives exactly the records
// a parse of the whole file gives, and refuses exactly what it refuses.
func FuzzImportPartsEqualWholeParse(f *testing.F) {
	if seed, err := os.ReadFile(filepath.Join("testdata", "azure_cli_msal_token_cache.json")); err == nil {
		f.Add(seed)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"AccessToken": null, "Account": {"k": {"home_account_id": "A.b", "environment": "e", "realm": "r", "username": "u"}}}`))
	f.Add([]byte(`{"Account": {"x": {"home_account_id": "Ab.c", "environment": "e", "realm": "r"}, "y": {"home_account_id": "ab.C", "environment": "e", "realm": "r", "username": "later"}}}`))
	f.Add([]byte(`{"IdToken": {"k": {"home_account_id": 7}}}`))
	f.Add([]byte(`{"AcctuiMetadata": {"acctui.active_account": {"value": {"home_account_id": "a.b"}}}}`))
	f.Add([]byte(`{"Unknown": [1, 2], "AppMetadata": {"a": {"client_id": "c", "environment": "e"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, _, valid := normalizeImport(data)
		whole, werr := cache.Parse(doc)
		canon, _, perr := importFragments(doc, valid)
		if (werr != nil) != (perr != nil) {
			t.Fatalf("whole parse: %v; by parts: %v", werr, perr)
		}
		if werr != nil {
			return
		}
		whole.DeleteMetadata(activeKey) // the import never takes it
		marshalled, err := whole.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		want, err := splitCache(marshalled)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) != len(canon) {
			t.Fatalf("%d records by parts, %d whole", len(canon), len(want))
		}
		for id, frag := range want {
			if !bytes.Equal(canon[id], frag) {
				t.Errorf("record %q by parts:\n%s\nwhole:\n%s", id, canon[id], frag)
			}
		}
	})
}
