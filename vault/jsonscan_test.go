package vault

import (
	"bytes"
	"encoding/json"
	"reflect"
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

// checkSummarizeCreds holds summarizeCreds, which writes use, to summarize
// of the fragment the credentials of frag render.
func checkSummarizeCreds(t *testing.T, frag []byte) {
	t.Helper()
	cs, err := fragmentCreds([]byte("lookup key"), frag)
	if err != nil {
		return
	}
	want, wantOK := summarize(cs.fragment())
	got, gotOK := summarizeCreds(cs)
	if gotOK != wantOK || wantOK && !reflect.DeepEqual(got, want) {
		t.Errorf("summarizeCreds = %+v, %v; summarize = %+v, %v, of %s", got, gotOK, want, wantOK, frag)
	}
}

// TestSummarizeCredsAsFragment: an account's summary made from its
// credentials is the one made from its fragment, with several Account
// entries (the first by key names the home account), spaces in values,
// escapes, and entries lacking members.
func TestSummarizeCredsAsFragment(t *testing.T) {
	for _, frag := range []string{
		`{"Account":{"b":{"home_account_id":"h2","username":"z@x","environment":"e","realm":"r2"},` +
			`"a":{ "home_account_id" : "h1", "username":"a\u0041@x", "realm":"r1" }}}`,
		`{"Account":{"k":{"username":"u"}},"AccessToken":{"t":{"home_account_id":"h","secret":"s"}}}`,
		`{"Account":{"k":{"home_account_id":"h","username":"u","environment":"e","realm":"r"},` +
			`"l":{"home_account_id":"h","username":"u","environment":"e","realm":"r"}},"X":{"Account":1}}`,
		`{"AccessToken":{"t":{"home_account_id":"h"}}}`,
	} {
		checkSummarizeCreds(t, []byte(frag))
	}
}

// checkParseFragment holds parseFragment, which reads use, to cache.Parse
// of the rendered fragment: both fail, or both marshal to the same bytes.
func checkParseFragment(t *testing.T, entries map[string][]member, whole []member) {
	t.Helper()
	doc := renderFragment(entries, whole)
	want, werr := cache.Parse(doc)
	got, gerr := parseFragment(entries, whole)
	if (werr != nil) != (gerr != nil) {
		t.Fatalf("Parse: %v; parseFragment: %v; of %s", werr, gerr, doc)
	}
	if werr != nil {
		return
	}
	w, _ := want.Marshal()
	g, _ := got.Marshal()
	if !bytes.Equal(g, w) {
		t.Fatalf("parseFragment marshals to\n%s\nParse of the fragment to\n%s", g, w)
	}
}

// TestParseFragmentAsRendered: records read back give the cache their
// rendered fragment gives, with two entries under one key (the later
// wins), whitespace in a stored value, metadata, and whole sections,
// one of them named as an entry section.
func TestParseFragmentAsRendered(t *testing.T) {
	at := func(secret string) []byte {
		return []byte(`{"home_account_id":"h.t","environment":"e","client_id":"c","realm":"t","target":"a b","secret":"` + secret + `","cached_at":"5","x":{ "y" : [1, 2] }}`)
	}
	entries := map[string][]member{
		cache.SectionAccessToken: {{"k2", at("second")}, {"k1", at("first")}, {"k2", at("third")}},
		cache.SectionAccount:     {{"a", []byte(`{"home_account_id":"h.t","environment":"e","realm":"t","username":"u"}`)}},
		cache.SectionMetadata:    {{"m", []byte(`{"value":"v","expires_on":"9"}`)}},
	}
	whole := []member{{"Z", []byte(`[1, {"a": "\u2028"}]`)}, {"Z", []byte(`{"later": true}`)}, {cache.SectionAccount, []byte(`{}`)}}
	checkParseFragment(t, entries, whole)
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
			checkSummarizeCreds(t, fr)
			if cs, err := fragmentCreds([]byte("lookup key"), fr); err == nil {
				entries := map[string][]member{}
				var whole []member
				cs.appendTo(entries, &whole)
				checkParseFragment(t, entries, whole)
			}
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
