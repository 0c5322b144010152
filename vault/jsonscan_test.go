package vault

import (
	"bytes"
	"encoding/json"
	"testing"

	"acctui/engine/cache"
)

func TestScannerOnAwkwardJSON(t *testing.T) {
	doc := []byte(`{
	  "Account": {
	    "k\"1": {"home_account_id": "H.T", "username": "a\\b\"c@x", "x": [1, {"y": "}]"}]},
	    "k2": {"home_account_id": null, "environment": "e"}
	  },
	  "Weird": ["{", "\\", 1e3, true, null],
	  "Num": 42,
	  "AppMetadata": { }
	}`)
	frags, err := splitCache(doc)
	if err != nil {
		t.Fatal(err)
	}
	if len(frags) != 2 || frags["h.t"] == nil || frags[sharedID] == nil {
		t.Fatalf("fragments: %q", frags)
	}
	for id, f := range frags {
		if !json.Valid(f) {
			t.Errorf("fragment %q is not valid JSON: %s", id, f)
		}
	}
	merged, err := mergeFragments([][]byte{frags["h.t"], frags[sharedID]})
	if err != nil {
		t.Fatal(err)
	}
	var got, want map[string]any
	if err := json.Unmarshal(merged, &got); err != nil {
		t.Fatal(err)
	}
	json.Unmarshal(doc, &want)
	delete(want, "AppMetadata") // empty: fragments leave it out
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("merged\n%s\nwant\n%s", g, w)
	}
	s, ok := summarize(frags["h.t"])
	if !ok || s.Usernames[0] != `a\b"c@x` {
		t.Errorf("summary %+v", s)
	}
}

func FuzzSplitMerge(f *testing.F) {
	f.Add([]byte(`{"Account":{"k":{"home_account_id":"a","username":"u"}},"X":[1,"]"]}`))
	f.Add([]byte(`{"AccessToken":{"k":{"home_account_id":"a\u0041","secret":"s\\\""}}}`))
	f.Add([]byte(`{"a":`))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Whatever the input, no panic; what splits must merge and parse
		// as the original does.
		frags, err := splitCache(data)
		if err != nil {
			return
		}
		var list [][]byte
		for _, fr := range frags {
			list = append(list, fr)
			parseSummary(fr)
			summarize(fr)
		}
		merged, err := mergeFragments(list)
		if err != nil {
			return
		}
		if _, err := cache.Parse(data); err == nil && json.Valid(data) {
			if _, err := cache.Parse(merged); err != nil {
				t.Errorf("the original parses, the merged fragments do not: %v\n%s", err, merged)
			}
		}
		parseIndexV1(data, "fuzz", make([]byte, 32))
		parseTable(data, "fuzz")
		parseDirectory(data, "fuzz")
	})
}
