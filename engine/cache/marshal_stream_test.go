package cache

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"testing"
)

// oldDocument is how the document was made before it was streamed: every
// section compact in one buffer, then json.Indent of the whole.
func oldDocument(t *testing.T, c *Cache, withMetadata bool) []byte {
	t.Helper()
	writers := c.sectionWriters(withMetadata)
	var compact bytes.Buffer
	compact.WriteByte('{')
	for i, name := range slices.Sorted(maps.Keys(writers)) {
		if i > 0 {
			compact.WriteByte(',')
		}
		writeString(&compact, name)
		compact.WriteByte(':')
		if err := writers[name](&compact); err != nil {
			t.Fatal(err)
		}
	}
	compact.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, compact.Bytes(), "", indentUnit); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestDocumentWrittenBySectionsIsTheIndentedDocument: writing a section at a
// time gives the bytes json.Indent gave the whole document, for MSAL's own
// caches and for sections acctui keeps raw, written with spaces, nesting
// and empty values.
func TestDocumentWrittenBySectionsIsTheIndentedDocument(t *testing.T) {
	caches := map[string]*Cache{}
	for _, name := range []string{"msal_python.json", "msal_go.json", "v1_uppercase.json"} {
		caches[name] = mustParseFile(t, name)
	}
	raw := `{"AccessToken": {}, "Zeta" : { "a" : [ 1 , { } , [ ] , "x y" ] ,
		"b":{"c":null}	} , "Alpha":[ ], "Mid": "text",  "Num" : -1.5e3 }`
	c, err := Parse([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	caches["raw sections"] = c
	trailing := New()
	trailing.sections = map[string]json.RawMessage{"Spaced": json.RawMessage("{\"a\": [1]} \n\t")}
	caches["a raw section with trailing space"] = trailing
	caches["empty"] = New()
	for name, c := range caches {
		for _, withMetadata := range []bool{false, true} {
			want := oldDocument(t, c, withMetadata)
			var got []byte
			if withMetadata {
				got, err = c.Marshal()
			} else {
				var b bytes.Buffer
				err = c.WriteForOtherClients(&b)
				got = b.Bytes()
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s (metadata %v): sections written one by one differ from the indented document:\n%s\n---\n%s", name, withMetadata, got, want)
			}
		}
	}
}

// TestWriteForOtherClientsStopsAtAWriteError: a full disk or a closed pipe
// is the caller's error, not a document that silently ends early.
func TestWriteForOtherClientsStopsAtAWriteError(t *testing.T) {
	c := mustParseFile(t, "msal_python.json")
	var whole bytes.Buffer
	if err := c.WriteForOtherClients(&whole); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{0, 1, whole.Len() / 2, whole.Len() - 1} {
		w := &limitedWriter{limit: limit}
		if err := c.WriteForOtherClients(w); !errors.Is(err, errWriterFull) {
			t.Errorf("a writer that takes %d of %d bytes: err = %v, want errWriterFull", limit, whole.Len(), err)
		}
	}
}

var errWriterFull = errors.New("writer full")

type limitedWriter struct{ limit, n int }

func (w *limitedWriter) Write(p []byte) (int, error) {
	if w.n+len(p) > w.limit {
		k := w.limit - w.n
		w.n = w.limit
		return k, errWriterFull
	}
	w.n += len(p)
	return len(p), nil
}
