package cache

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// storedMetadataSeeds are entries as encode writes them and near misses
// that must go to decodeFields.
var storedMetadataSeeds = []string{
	`{"expires_on":"1700000000","value":{"issuer":"https://login.microsoftonline.com/x/v2.0","scopes_supported":["openid"]}}`,
	`{"value":[1,2,3]}`,
	`{"value":"a string with \"quotes\" and \\u00e9"}`,
	`{"expires_on":"0","value":true}`,
	`{"expires_on":"007","value":1}`,
	`{"expires_on":"999999999999999999","value":1}`,
	`{"expires_on":"9999999999999999999","value":1}`, // past int64: decodeFields's float path
	`{"expires_on":"","value":1}`,
	`{"expires_on":"-5","value":1}`,
	`{"expires_on":"1e3","value":1}`,
	`{"value":null}`,
	`{"value": 1}`,
	`{"value":1 }`,
	`{"value":1,"value":2}`,
	`{"value":{"a":1}},"x":2}`,
	`{"value":1}}`,
	`{"value":}`,
	`{"value":1,"other":2}`,
	`{"expires_on":"5","value":1,"expires_on":"6"}`,
	`{"expires_on":5,"value":1}`,
	` {"value":1}`,
	`{"value":1} `,
	`{"value":"\u00e9\xff"}`,
}

// TestStoredMetadataTakesWhatEncodeWrites: the fast path is the one taken
// for the form acctui stores, not dead code behind decodeFields.
func TestStoredMetadataTakesWhatEncodeWrites(t *testing.T) {
	for _, e := range []metadataEntry{
		{value: json.RawMessage(`{"issuer":"x","n":[1,2]}`), expiresOn: 1700000000},
		{value: json.RawMessage(`"text"`)},
	} {
		var buf bytes.Buffer
		if err := e.encode(&buf); err != nil {
			t.Fatal(err)
		}
		value, expiresOn, ok := storedMetadata(buf.Bytes())
		if !ok || string(value) != string(e.value) || expiresOn != e.expiresOn {
			t.Errorf("storedMetadata(%s) = %s, %d, %v", buf.Bytes(), value, expiresOn, ok)
		}
	}
}

func TestStoredMetadataAsDecodeFields(t *testing.T) {
	for _, s := range storedMetadataSeeds {
		checkStoredMetadata(t, []byte(s))
	}
}

func FuzzStoredMetadataAsDecodeFields(f *testing.F) {
	for _, s := range storedMetadataSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkStoredMetadata)
}

// checkStoredMetadata holds decode (which takes the fast path when it can)
// to decodeFields alone on data, and checks that the entry does not share
// the caller's buffer, which the vault clears after a read.
func checkStoredMetadata(t *testing.T, data []byte) {
	var got metadataEntry
	buf := bytes.Clone(data)
	gotErr := got.decode(buf)
	for i := range buf {
		buf[i] = 'x'
	}
	want := metadataEntry{}
	extra, wantErr := decodeFields(data, "", want.fields())
	want.extra = extra
	if (gotErr != nil) != (wantErr != nil) {
		t.Fatalf("%q: decode error %v, decodeFields error %v", data, gotErr, wantErr)
	}
	if wantErr != nil {
		return
	}
	if !bytes.Equal(got.value, want.value) || got.expiresOn != want.expiresOn || !reflect.DeepEqual(got.extra, want.extra) {
		t.Fatalf("%q: decode gave %+v, decodeFields %+v", data, got, want)
	}
}
