package vault

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestImportNoticesAChangedFile: the second pass reads entries back from
// the file; if the file changed since the first (an Azure CLI rewriting
// its cache), the import stops instead of storing what it did not check.
func TestImportNoticesAChangedFile(t *testing.T) {
	doc := []byte(`{"AccessToken": {"k": {"home_account_id": "h.t", "environment": "e", "client_id": "c", "secret": "AT.first"}}}`)
	plan, err := planImport(context.Background(), bytes.NewReader(doc), int64(len(doc)), "test")
	if err != nil {
		t.Fatal(err)
	}
	changed := bytes.Replace(doc, []byte("AT.first"), []byte("AT.other"), 1)
	var buf []byte
	for id, entries := range plan.records() {
		if _, _, err := importRecordCreds(bytes.NewReader(changed), plan.seed, entries, &buf); err == nil || !strings.Contains(err.Error(), "changed") {
			t.Errorf("record %q of a changed file: %v", id, err)
		}
		if _, _, err := importRecordCreds(bytes.NewReader(doc[:len(doc)/2]), plan.seed, entries, &buf); err == nil || !strings.Contains(err.Error(), "changed") {
			t.Errorf("record %q of a truncated file: %v", id, err)
		}
		if list, _, err := importRecordCreds(bytes.NewReader(doc), plan.seed, entries, &buf); err != nil || len(list) != 1 {
			t.Errorf("record %q of the same file: %d credentials, %v", id, len(list), err)
		}
	}
}
