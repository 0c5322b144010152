package cache

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMetadataExpiry(t *testing.T) {
	c := New()
	if err := c.SetMetadata("oidc:https://login.microsoftonline.com/common", json.RawMessage(`{ "issuer": "x" }`), 1000); err != nil {
		t.Fatal(err)
	}
	if err := c.SetMetadata("forever", json.RawMessage(`[1]`), 0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  string
		now  int64
		want string
	}{
		{"oidc:https://login.microsoftonline.com/common", 999, `{"issuer":"x"}`},
		{"oidc:https://login.microsoftonline.com/common", 1000, ""},
		{"oidc:https://login.microsoftonline.com/common", 5000, ""},
		{"forever", 1 << 40, `[1]`},
		{"absent", 0, ""},
	}
	for _, tt := range tests {
		v, ok := c.Metadata(tt.key, tt.now)
		if ok != (tt.want != "") || string(v) != tt.want {
			t.Errorf("Metadata(%q, %d) = %s, %v; want %q", tt.key, tt.now, v, ok, tt.want)
		}
	}
	if err := c.SetMetadata("bad", json.RawMessage(`{`), 0); err == nil {
		t.Error("invalid JSON accepted")
	}
	if n := c.PruneMetadata(1000); n != 1 {
		t.Errorf("pruned %d, want 1", n)
	}
	c.DeleteMetadata("forever")
	if _, ok := c.Metadata("forever", 0); ok {
		t.Error("deleted metadata still there")
	}
}

func TestMetadataRoundTrip(t *testing.T) {
	c := New()
	_ = c.SetMetadata("k", json.RawMessage(`{"b":[1,2],"a":"x"}`), 1700000000)
	out, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"AcctuiMetadata": {`) || !strings.Contains(string(out), `"expires_on": "1700000000"`) {
		t.Errorf("metadata section:\n%s", out)
	}
	// Numbers are accepted on input, like every epoch.
	d, err := Parse([]byte(`{"AcctuiMetadata": {"k": {"value": {"a": 1}, "expires_on": 50, "note": "kept"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := d.Metadata("k", 49); !ok || string(v) != `{"a": 1}` {
		t.Errorf("parsed metadata %s %v", v, ok)
	}
	out, _ = d.Marshal()
	if !strings.Contains(string(out), `"note": "kept"`) {
		t.Errorf("unknown metadata member lost:\n%s", out)
	}
	if empty, _ := New().Marshal(); strings.Contains(string(empty), SectionMetadata) {
		t.Error("empty metadata section written")
	}
}
