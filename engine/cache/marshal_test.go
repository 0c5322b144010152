package cache

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMarshalRoundTripStable(t *testing.T) {
	for _, name := range []string{"msal_python.json", "msal_go.json", "v1_uppercase.json"} {
		t.Run(name, func(t *testing.T) {
			c := mustParseFile(t, name)
			first, err := c.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			again, err := c.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, again) {
				t.Fatal("two Marshal calls differ")
			}
			c2, err := Parse(first)
			if err != nil {
				t.Fatalf("re-parse: %v", err)
			}
			second, err := c2.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, second) {
				t.Errorf("parse→marshal→parse→marshal changed the bytes:\n%s\n---\n%s", first, second)
			}
			if c2.Counts() != c.Counts() {
				t.Errorf("counts %+v after round trip, want %+v", c2.Counts(), c.Counts())
			}
		})
	}
}

// TestRoundTripMeaning compares the Python file member by member with what
// Marshal wrote: the same keys (the file already had canonical ones) and
// the same values.
func TestRoundTripMeaning(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "msal_python.json"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var want, got map[string]any
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(want)
	gotJSON, _ := json.Marshal(got)
	if !bytes.Equal(wantJSON, gotJSON) {
		t.Errorf("meaning changed:\nwant %s\n got %s", wantJSON, gotJSON)
	}
}

func TestUnknownFieldsAndSectionsSurvive(t *testing.T) {
	in := `{
	  "AccessToken": {
	    "k": {"home_account_id":"h","environment":"e","client_id":"c","realm":"r","target":"s","secret":"t",
	          "cached_at":"1","expires_on":"2","x_future":{"nested":[1,2,{"a":null}]},"user_assertion_hash":""}
	  },
	  "AppMetadata": {"appmetadata-e-c": {"client_id":"c","environment":"e","family_id":null}},
	  "SomeOtherTool": {"anything": [true, false, "x"]},
	  "Version": 2
	}`
	c, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]json.RawMessage
	var top map[string]json.RawMessage
	if err := json.Unmarshal(out, &top); err != nil {
		t.Fatal(err)
	}
	if compact(t, top["SomeOtherTool"]) != `{"anything":[true,false,"x"]}` || compact(t, top["Version"]) != `2` {
		t.Errorf("unknown sections lost: %s", out)
	}
	delete(top, "Version")
	raw, _ := json.Marshal(top)
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var at map[string]json.RawMessage
	if err := json.Unmarshal(doc["AccessToken"]["h-e-accesstoken-c-r-s"], &at); err != nil {
		t.Fatalf("access token not under canonical key: %s", out)
	}
	if compact(t, at["x_future"]) != `{"nested":[1,2,{"a":null}]}` || string(at["user_assertion_hash"]) != `""` {
		t.Errorf("unknown members lost: %s", doc["AccessToken"])
	}
	if string(at["credential_type"]) != `"AccessToken"` {
		t.Errorf("credential_type = %s", at["credential_type"])
	}
	var meta map[string]json.RawMessage
	if err := json.Unmarshal(doc["AppMetadata"]["appmetadata-e-c"], &meta); err != nil {
		t.Fatal(err)
	}
	if string(meta["family_id"]) != "null" {
		t.Errorf("null family_id must stay null, got %s", meta["family_id"])
	}
}

func compact(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestMarshalExactForm pins the layout: sorted sections and members, four
// spaces, string epochs, the members MSAL Python always writes.
func TestMarshalExactForm(t *testing.T) {
	c := New()
	if err := c.SaveAccount(Account{HomeAccountID: "h", Environment: "e", Realm: "r", AuthorityType: AuthorityTypeMSSTS}); err != nil {
		t.Fatal(err)
	}
	if err := c.SaveAccessToken(AccessToken{HomeAccountID: "h", Environment: "e", ClientID: "c", Realm: "r",
		Target: "b a", Secret: "s<&>", CachedAt: 1, ExpiresOn: 2}); err != nil {
		t.Fatal(err)
	}
	out, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := `{
    "AccessToken": {
        "h-e-accesstoken-c-r-a b": {
            "cached_at": "1",
            "client_id": "c",
            "credential_type": "AccessToken",
            "environment": "e",
            "expires_on": "2",
            "home_account_id": "h",
            "realm": "r",
            "secret": "s<&>",
            "target": "a b",
            "token_type": "Bearer"
        }
    },
    "Account": {
        "h-e-r": {
            "authority_type": "MSSTS",
            "environment": "e",
            "home_account_id": "h",
            "local_account_id": "",
            "realm": "r",
            "username": ""
        }
    },
    "AppMetadata": {},
    "IdToken": {},
    "RefreshToken": {}
}`
	if string(out) != want {
		t.Errorf("Marshal:\n%s\nwant:\n%s", out, want)
	}
}

func TestMarshalRejectsInvalidExtra(t *testing.T) {
	c := New()
	if err := c.SaveIDToken(IDToken{Environment: "e", ClientID: "c", Extra: map[string]json.RawMessage{"bad": json.RawMessage(`{`)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Marshal(); err == nil || !strings.Contains(err.Error(), "bad") {
		t.Errorf("Marshal with invalid extra: %v", err)
	}
}

func TestEntryJSON(t *testing.T) {
	in := `{"credential_type":"RefreshToken","secret":"x","home_account_id":"h","environment":"e","client_id":"c","target":"","last_modification_time":7,"foo":1}`
	var rt RefreshToken
	if err := json.Unmarshal([]byte(in), &rt); err != nil {
		t.Fatal(err)
	}
	if rt.LastModificationTime != 7 || string(rt.Extra["foo"]) != "1" {
		t.Fatalf("%+v", rt)
	}
	out, err := json.Marshal(rt)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"client_id":"c","credential_type":"RefreshToken","environment":"e","foo":1,"home_account_id":"h","last_modification_time":"7","secret":"x","target":""}`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
}
