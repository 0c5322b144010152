package cache

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// storedForm splits a cache document as a store keeps it: each member of an
// entry section or the metadata section, in document order, and the other
// top-level members whole. ok is false for a document whose shape a store
// never holds (not valid JSON, not an object, an entry section that is not
// an object).
func storedForm(doc []byte) (entries []StoredEntry, sections map[string]json.RawMessage, ok bool) {
	if !json.Valid(doc) {
		return nil, nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, false
	}
	sections = map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, false
		}
		name := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, false
		}
		switch name {
		case SectionAccessToken, SectionRefreshToken, SectionIDToken, SectionAccount, SectionAppMetadata, SectionMetadata:
			if string(raw) == "null" {
				continue
			}
			inner := json.NewDecoder(bytes.NewReader(raw))
			if tok, err := inner.Token(); err != nil || tok != json.Delim('{') {
				return nil, nil, false
			}
			for inner.More() {
				tok, err := inner.Token()
				if err != nil {
					return nil, nil, false
				}
				var val json.RawMessage
				if err := inner.Decode(&val); err != nil {
					return nil, nil, false
				}
				entries = append(entries, StoredEntry{Section: name, Key: tok.(string), JSON: val})
			}
		default:
			sections[name] = raw
		}
	}
	return entries, sections, true
}

// parseBothWays holds ParseEntries of doc's stored form to Parse of doc:
// both fail, or both give caches that marshal to the same bytes.
func parseBothWays(t *testing.T, doc []byte) {
	t.Helper()
	entries, sections, ok := storedForm(doc)
	if !ok {
		return
	}
	want, werr := Parse(doc)
	got, gerr := ParseEntries(entries, sections)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("Parse: %v; ParseEntries: %v; of %s", werr, gerr, doc)
	}
	if werr != nil {
		return
	}
	w, err := want.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	g, err := got.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g, w) {
		t.Fatalf("ParseEntries marshals to\n%s\nParse to\n%s", g, w)
	}
}

// TestParseEntriesAsParse: the caches MSAL Python, MSAL Go and an old
// acctui wrote, colliding keys (the newer or later entry wins, complete
// entries over incomplete ones), metadata, unknown sections and bad
// entries give what Parse gives.
func TestParseEntriesAsParse(t *testing.T) {
	for _, name := range []string{"msal_python.json", "msal_go.json", "v1_uppercase.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		parseBothWays(t, data)
	}
	for _, doc := range []string{
		`{"RefreshToken":{"h-e-refreshtoken-1":{"home_account_id":"h","environment":"e","client_id":"c","secret":"new","last_modification_time":"200"},` +
			`"H-E-REFRESHTOKEN-C--":{"home_account_id":"h","environment":"e","client_id":"c","secret":"old","last_modification_time":"100"}}}`,
		`{"AccessToken":{"x":{"home_account_id":"h","environment":"e","client_id":"c","realm":"r","target":"s","secret":"first","cached_at":"5"},` +
			`"y":{"home_account_id":"h","environment":"e","client_id":"c","realm":"r","target":"s","secret":"second","cached_at":"5"}}}`,
		`{"Account":{"h-e-r":{"home_account_id":"h","environment":"e","realm":"r","username":"first"},"no-home":{"environment":"e","realm":"r"},` +
			`"h-e-r2":{"home_account_id":"h","environment":"e","realm":"r","username":"second"}}}`,
		`{"AcctuiMetadata":{"k":{"value":"v","expires_on":"9"}},"Z":[1,{"a":"\u2028"}],"AccessToken":null}`,
		`{"IdToken":{"k":{"secret":"s","credential_type":"PoP","x":{"nested":[1,2]}}}}`,
		`{"AccessToken":{"k":{"secret":{"a":1}}}}`,
		`{"AppMetadata":{"k":{"client_id":5}}}`,
		`{"Account":{"k":null}}`,
	} {
		parseBothWays(t, []byte(doc))
	}
}

func FuzzParseEntriesAsParse(f *testing.F) {
	for _, name := range []string{"msal_python.json", "msal_go.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"AccessToken":{"a":{"home_account_id":"h","environment":"e","client_id":"c","realm":"r","target":"s","cached_at":1},"b":{"home_account_id":"h","environment":"e","client_id":"c","realm":"r","target":"S","cached_at":1}}}`))
	f.Add([]byte(`{"AcctuiMetadata":{"k":{"value":null}},"X":{}}`))
	f.Fuzz(func(t *testing.T, doc []byte) { parseBothWays(t, doc) })
}
