package cache

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// readBothWays reads raw as an entry of section through ReadEntry and
// through the path Parse takes (decode, then encode), and fails when they
// differ in anything but whitespace.
func readBothWays(t *testing.T, section string, raw []byte) {
	t.Helper()
	got, gerr := ReadEntry(section, "k", raw)
	var (
		slow    bytes.Buffer
		werr    error
		key     string
		indexed bool
		stamp   int64
	)
	check := func(e interface {
		decode([]byte) error
		encode(*bytes.Buffer) error
		indexable() bool
		stamp() int64
		Key() string
	}) {
		if werr = e.decode(raw); werr != nil {
			return
		}
		indexed, stamp, key = e.indexable(), e.stamp(), "k"
		if indexed {
			key = e.Key()
		}
		werr = e.encode(&slow)
	}
	switch section {
	case SectionAccessToken:
		check(new(AccessToken))
	case SectionRefreshToken:
		check(new(RefreshToken))
	case SectionIDToken:
		check(new(IDToken))
	case SectionAccount:
		check(new(Account))
	case SectionAppMetadata:
		check(new(AppMetadata))
	}
	if (gerr != nil) != (werr != nil) {
		t.Fatalf("%s: ReadEntry: %v; decode and encode: %v", section, gerr, werr)
	}
	if gerr != nil {
		if !strings.HasSuffix(gerr.Error(), werr.Error()) {
			t.Fatalf("%s: error %q, Parse's way %q", section, gerr, werr)
		}
		return
	}
	var want bytes.Buffer
	if err := json.Compact(&want, slow.Bytes()); err != nil {
		t.Fatal(err)
	}
	if got.Key != key || got.Indexed != indexed || got.Stamp != stamp || !bytes.Equal(got.JSON, want.Bytes()) {
		t.Fatalf("%s: ReadEntry gives %q %v %d\n%s\nParse's way %q %v %d\n%s", section,
			got.Key, got.Indexed, got.Stamp, got.JSON, key, indexed, stamp, want.Bytes())
	}
}

// FuzzReadEntryAsParse checks that ReadEntry's reading without
// encoding/json gives what decode and encode give, errors included.
func FuzzReadEntryAsParse(f *testing.F) {
	for _, name := range []string{"msal_python.json", "msal_go.json", "v1_uppercase.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		var doc map[string]map[string]json.RawMessage
		if err := json.Unmarshal(data, &doc); err != nil {
			f.Fatal(err)
		}
		for _, sec := range doc {
			for _, raw := range sec {
				f.Add([]byte(raw))
			}
		}
	}
	for _, seed := range []string{
		`{}`, `null`, `[]`, ` { "environment" : "e" , "client_id":"c" } `,
		`{"environment":"e","client_id":"c","cached_at":"12","expires_on":7,"x":true,"y":null,"z":-0}`,
		`{"environment":"e","environment":"f"}`, `{"secret":"\u00e9\n"}`, `{"secret":"` + "\xff" + `"}`,
		`{"cached_at":01}`, `{"cached_at":1.5}`, `{"cached_at":"x"}`, `{"home_account_id":7}`,
		`{"credential_type":"AccessToken","ext_cache_key":"k","environment":"e","client_id":"c"}`,
		`{"a":{"b":[1, 2]}}`, `{"a":tru}`, `{"a":1}x`, `{"a" 1}`,
		// raw (unescaped) non-ASCII in a flat entry: what setPlain must not
		// mark verbatim, since the writer escapes U+2028 and U+2029
		"{\"environment\":\"e\u2028\u00e9\",\"client_id\":\"c\",\"secret\":\"s\u2029\"}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, section := range []string{SectionAccessToken, SectionRefreshToken, SectionIDToken, SectionAccount, SectionAppMetadata} {
			readBothWays(t, section, raw)
		}
	})
}

func TestPlainASCII(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"", 0}, {"abc", 3}, {"abcdefghijklmnop", 16}, {"abcdefghijklmno\"", 15}, {"abcdefgh\\ijk", 8},
		{"abcdefg\x1f", 7}, {"abcdefghijklmnopqrstuvw\x7f", 24}, {"abcdefghijkl\xc3\xa9", 12}, {"\x00bcdefgh", 0},
		{" ~ ~ ~ ~ ~ ~ ~ ~", 16}, {"abcdefgh!", 9},
	} {
		if got := plainASCII(tc.s); got != tc.want {
			t.Errorf("plainASCII(%q) = %d, want %d", tc.s, got, tc.want)
		}
		if got := plainASCII([]byte(tc.s)); got != tc.want {
			t.Errorf("plainASCII([]byte(%q)) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

func TestEntryInfoHidesItsJSON(t *testing.T) {
	info, err := ReadEntry(SectionRefreshToken, "k", []byte(`{"environment":"e","client_id":"c","secret":"RT.very-secret"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(info.JSON), "RT.very-secret") {
		t.Fatalf("the JSON lost the secret: %s", info.JSON)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("entry", "info", info)
	for _, out := range []string{fmt.Sprint(info), fmt.Sprintf("%+v %#v %s %q %x", info, info, info, info, info),
		fmt.Sprintf("%v", &info), fmt.Sprintf("%+v", struct{ I EntryInfo }{info}), logged.String()} {
		if strings.Contains(out, "very-secret") || strings.Contains(out, "7665") {
			t.Errorf("printed the secret: %s", out)
		}
	}
}

// writeStringByteByByte is writeString as it was before it wrote plain
// runs whole, kept to test the faster one against.
func writeStringByteByByte(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				buf.WriteByte('\\')
				buf.WriteByte(c)
			case c == '\n':
				buf.WriteString(`\n`)
			case c == '\r':
				buf.WriteString(`\r`)
			case c == '\t':
				buf.WriteString(`\t`)
			case c < 0x20:
				buf.WriteString(`\u00`)
				buf.WriteByte(hex[c>>4])
				buf.WriteByte(hex[c&0xf])
			default:
				buf.WriteByte(c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			buf.WriteString(`\ufffd`)
		case r == '\u2028' || r == '\u2029':
			// JavaScript line separators, escaped as encoding/json does.
			buf.WriteString(`\u202`)
			buf.WriteByte(hex[r&0xf])
		default:
			buf.WriteString(s[i : i+size])
		}
		i += size
	}
	buf.WriteByte('"')
}

// FuzzWriteStringAsBefore checks that writeString, which writes plain runs
// whole, writes every string exactly as the byte-by-byte version did.
func FuzzWriteStringAsBefore(f *testing.F) {
	for _, seed := range []string{"", "plain", "a\"b\\c", "tab\there\n", "\x00\x1f\x7f", "é\u2028\u2029x", "\xff\xfe ok", strings.Repeat("0123456789abcdef", 9) + "\x01"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got, want bytes.Buffer
		writeString(&got, s)
		writeStringByteByByte(&want, s)
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			t.Fatalf("writeString(%q) = %s, before %s", s, got.Bytes(), want.Bytes())
		}
	})
}
