package cache

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestMarshalForOtherClientsLeavesOutAcctuiMetadata: the settings and
// service principal credentials acctui keeps in its metadata section stay
// in the vault; the MSAL sections and unknown ones go out as they are.
func TestMarshalForOtherClientsLeavesOutAcctuiMetadata(t *testing.T) {
	c, err := Parse([]byte(`{"AccessToken":{},"RefreshToken":{},"IdToken":{},"Account":{},"AppMetadata":{},"SomeoneElses":{"k":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetMetadata("acctui.principals", json.RawMessage(`{"secret":"hunter2-credential"}`), 0); err != nil {
		t.Fatal(err)
	}
	full, err := c.Marshal()
	if err != nil || !bytes.Contains(full, []byte("hunter2-credential")) {
		t.Fatalf("Marshal lost the metadata the vault keeps: %v\n%s", err, full)
	}
	out, err := c.MarshalForOtherClients()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte(SectionMetadata)) || bytes.Contains(out, []byte("hunter2-credential")) {
		t.Fatalf("the export carries acctui's metadata:\n%s", out)
	}
	back, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := back.Metadata("acctui.principals", 0); ok {
		t.Fatal("metadata came back")
	}
	if !bytes.Contains(out, []byte(`"SomeoneElses"`)) {
		t.Fatalf("an unknown section was dropped:\n%s", out)
	}
}
