package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"acctui/engine/cache"
)

// The rules of an import, written the plain way: the whole file in memory,
// rewritten as Python's json reads it and parsed whole by cache.Parse. The
// streaming import must give exactly what this gives.

// normalizeImport rewrites an MSAL cache file so that cache.Parse reads it
// the way MSAL Python's json.load does, and caps what acctui keeps of it:
//
//   - a top-level name that occurs twice keeps its last value, in the place
//     of its first occurrence (Python's dict), instead of the two sections
//     being united;
//   - within a known section, an entry key that occurs twice keeps its last
//     entry, whichever is newer;
//   - unknown sections are kept up to maxUnknownSection each and
//     maxUnknownTotal together, in file order; the rest are returned as
//     dropped.
//
// Input with nothing to change is returned as it is, and so is input that
// is not a JSON object, with valid false: cache.Parse then says what is
// wrong in its words.
func normalizeImport(data []byte) (doc []byte, dropped []DroppedSection, valid bool) {
	if !json.Valid(data) {
		return data, nil, false
	}
	top, changed, err := lastWins(data)
	if err != nil {
		return data, nil, false
	}
	kept := 0
	vals := make([][]byte, len(top))
	for i, m := range top {
		vals[i] = m.val
		if m.key == cache.SectionMetadata {
			changed = true // never imported: see the output loop
			continue
		}
		if !knownSections[m.key] {
			if len(m.val) > maxUnknownSection || kept+len(m.val) > maxUnknownTotal {
				changed = true
			} else {
				kept += len(m.val)
			}
			continue
		}
		if entries, dup, err := lastWins(m.val); err == nil && dup {
			vals[i], changed = renderObject(entries), true
		}
	}
	if !changed {
		return data, nil, true
	}
	kept = 0
	out := make([]byte, 0, len(data))
	out = append(out, '{')
	for i, m := range top {
		val := vals[i]
		if m.key == cache.SectionMetadata {
			// acctui's own section: settings, cached discovery documents
			// and throttling. Taken from a file it could name another
			// token endpoint for this vault's refresh tokens, or plant
			// an app's credential; no MSAL client writes it.
			dropped = append(dropped, DroppedSection{Name: m.key, Bytes: len(val), Reason: droppedAcctuiOwn})
			continue
		}
		if !knownSections[m.key] {
			if len(val) > maxUnknownSection || kept+len(val) > maxUnknownTotal {
				dropped = append(dropped, DroppedSection{Name: m.key, Bytes: len(val)})
				continue
			}
			kept += len(val)
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = appendString(out, m.key)
		out = append(out, ':')
		out = append(out, val...)
	}
	return append(out, '}'), dropped, true
}

// lastWins returns the members of a JSON object in the order of their
// first occurrence, each with the value of its last, and whether a name
// occurred twice; an error when b is not an object.
func lastWins(b []byte) (list []member, dup bool, err error) {
	at := map[string]int{}
	err = eachMember(b, func(key string, val []byte) error {
		if i, ok := at[key]; ok {
			list[i].val = val
			dup = true
			return nil
		}
		at[key] = len(list)
		list = append(list, member{key, val})
		return nil
	})
	if err != nil {
		return nil, false, errors.Join(errScan, err)
	}
	return list, dup, nil
}

// renderObject writes members as one JSON object.
func renderObject(list []member) []byte {
	size := 2
	for _, m := range list {
		size += len(m.key) + len(m.val) + 4
	}
	out := make([]byte, 0, size)
	out = append(out, '{')
	for i, m := range list {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendString(out, m.key)
		out = append(out, ':')
		out = append(out, m.val...)
	}
	return append(out, '}')
}

// streamFragments runs the streaming import's two passes over data without
// a vault: the fragment of every record, the counts and the dropped
// sections.
func streamFragments(data []byte) (map[string][]byte, cache.Counts, []DroppedSection, error) {
	var n cache.Counts
	src := bytes.NewReader(data)
	plan, err := planImport(context.Background(), src, int64(len(data)), "test")
	if err == nil {
		err = plan.checkSuperseded(src)
	}
	var whole []cred
	var dropped []DroppedSection
	if err == nil {
		whole, dropped, err = plan.unknownSections(src)
	}
	if err != nil {
		return nil, n, nil, err
	}
	out := map[string][]byte{}
	recs := plan.records()
	if _, ok := recs[sharedID]; !ok && len(whole) > 0 {
		recs[sharedID] = nil
	}
	for id, entries := range recs {
		var buf []byte
		list, c, err := importRecordCreds(src, plan.seed, entries, &buf)
		if err != nil {
			return nil, n, nil, err
		}
		addCounts(&n, c)
		if id == sharedID {
			list = append(list, whole...)
		}
		out[id] = credsOf(nil, list).fragment()
	}
	return out, n, dropped, nil
}

// FuzzImportStreamEqualsWholeParse checks that the streaming import stores
// exactly the records a parse of the whole (normalised) file gives, counts
// what it counts, drops what it drops, and refuses exactly what it refuses.
func FuzzImportStreamEqualsWholeParse(f *testing.F) {
	if seed, err := os.ReadFile(filepath.Join("testdata", "azure_cli_msal_token_cache.json")); err == nil {
		f.Add(seed)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`  `))
	f.Add([]byte(`{"AccessToken": null, "Account": {"k": {"home_account_id": "A.b", "environment": "e", "realm": "r", "username": "u"}}}`))
	f.Add([]byte(`{"Account": {"x": {"home_account_id": "Ab.c", "environment": "e", "realm": "r"}, "y": {"home_account_id": "ab.C", "environment": "e", "realm": "r", "username": "later"}}}`))
	f.Add([]byte(`{"IdToken": {"k": {"home_account_id": 7}}}`))
	f.Add([]byte(`{"AcctuiMetadata": {"acctui.active_account": {"value": {"home_account_id": "a.b"}}}}`))
	f.Add([]byte(`{"Unknown": [1, 2], "AppMetadata": {"a": {"client_id": "c", "environment": "e"}}}`))
	f.Add([]byte(`{"AccessToken": 5, "AccessToken": {"k": {"home_account_id": "a.b", "environment": "e", "client_id": "c", "cached_at": 2, "extra": {"x" : [1, 2.5]}}, "k": {"home_account_id": null}}}`))
	f.Add([]byte(`{"AccessToken": {"a": {"home_account_id": "h.t", "environment": "e", "client_id": "c", "realm": "r", "target": "s", "cached_at": "5"}, "b": {"home_account_id": "H.t", "environment": "E", "client_id": "C", "realm": "R", "target": "S", "cached_at": 5}, "c": {"environment": "e"}}, "X": 1, "X": {"y": "\u00e9\xff"}}`))
	f.Add([]byte(`{"RefreshToken": {"k\u0041": {"home_account_id": "a.b", "home_account_id": null, "client_id": "c", "environment": "e", "secret": "s\n"}}}`))
	f.Add([]byte(`{"IdToken": {"i": {"home\u005faccount_id": "X.y", "environment": "e", "client_id": "c"}}, "Account": {"a": {"home_account_id": "x.Y", "environment": "e"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, wantDropped, _ := normalizeImport(data)
		whole, werr := cache.Parse(doc)
		canon, counts, dropped, perr := streamFragments(data)
		if (werr != nil) != (perr != nil) {
			t.Fatalf("whole parse: %v; streamed: %v", werr, perr)
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
			t.Fatalf("%d records streamed, %d whole", len(canon), len(want))
		}
		for id, frag := range want {
			if !bytes.Equal(canon[id], frag) {
				t.Errorf("record %q streamed:\n%s\nwhole:\n%s", id, canon[id], frag)
			}
		}
		if wc := whole.Counts(); wc != counts {
			t.Errorf("counts %+v, whole %+v", counts, wc)
		}
		if len(dropped) != len(wantDropped) {
			t.Fatalf("dropped %+v, want %+v", dropped, wantDropped)
		}
		for i := range dropped {
			if dropped[i] != wantDropped[i] {
				t.Errorf("dropped %+v, want %+v", dropped[i], wantDropped[i])
			}
		}
	})
}
