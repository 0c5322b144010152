package cache

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"unicode/utf8"
)

// EntryInfo is one entry of a cache file read on its own, as Parse reads
// it: what an importer needs to file the entry without parsing the whole
// file into a Cache.
type EntryInfo struct {
	// Key is where Parse files the entry: its canonical key when Indexed,
	// else the key it was read under.
	Key     string
	Indexed bool
	// Stamp decides between two indexed entries that land on one key:
	// Parse keeps the greater, and on a tie the one later in the file.
	Stamp int64
	// JSON is the entry as Marshal writes it, compacted: the same bytes
	// whatever whitespace the file had.
	JSON []byte
	// Entry is the entry decoded: an *AccessToken, *RefreshToken,
	// *IDToken, *Account or *AppMetadata, for a reader that wants its
	// fields without decoding JSON again.
	Entry any
}

// String shows the entry's key and size, never its JSON, which holds the
// token. The display methods take a value receiver so that a pointer or a
// struct holding one prints the same.
func (e EntryInfo) String() string {
	return fmt.Sprintf("cache.EntryInfo{Key:%q Indexed:%v Stamp:%d JSON:%d bytes}", clip(e.Key), e.Indexed, e.Stamp, len(e.JSON))
}

// GoString is String, because the default %#v would print the JSON.
func (e EntryInfo) GoString() string { return e.String() }

// Format prints String for every verb, for the same reason as GoString.
func (e EntryInfo) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, e.String()) }

// LogValue lets log/slog show String only.
func (e EntryInfo) LogValue() slog.Value { return slog.StringValue(e.String()) }

// ReadEntry reads the entry stored under key in section (one of the five
// MSAL sections) exactly as Parse would, with Parse's errors. An entry
// whose members are plain strings, numbers and literals, the usual case,
// is read without encoding/json.
func ReadEntry(section, key string, raw []byte) (EntryInfo, error) {
	var info EntryInfo
	d, err := decodeEntryTable(section, raw)
	if err == nil {
		compact := !d.flat && len(d.extra) > 0
		switch e := d.entry.(type) {
		case *AccessToken:
			info, err = entryInfo(e, d, key, len(raw), compact)
		case *RefreshToken:
			info, err = entryInfo(e, d, key, len(raw), compact)
		case *IDToken:
			info, err = entryInfo(e, d, key, len(raw), compact)
		case *Account:
			info, err = entryInfo(e, d, key, len(raw), compact)
		case *AppMetadata:
			info, err = entryInfo(e, d, key, len(raw), compact)
		}
	}
	if err != nil {
		return info, fmt.Errorf("cache: parse: %s %q: %w", section, clip(key), err)
	}
	return info, nil
}

// decodedEntry is an entry decodeEntryTable read, with the field table it
// was read through, which writes it again without a new table and without
// a second look at the strings setPlain marked verbatim.
type decodedEntry struct {
	entry          any
	fields         []field
	credentialType string
	extra          map[string]json.RawMessage
	flat           bool // encoding/json was not needed
}

// decodeEntry decodes raw as an entry of section (one of the five entry
// sections) as Parse does; flat reports that encoding/json was not needed.
func decodeEntry(section string, raw []byte) (entry any, flat bool, err error) {
	d, err := decodeEntryTable(section, raw)
	return d.entry, d.flat, err
}

// decodeEntryTable is decodeEntry keeping the field table.
func decodeEntryTable(section string, raw []byte) (decodedEntry, error) {
	var d decodedEntry
	var extra *map[string]json.RawMessage
	switch section {
	case SectionAccessToken:
		e := new(AccessToken)
		d.entry, d.fields, d.credentialType, extra = e, e.fields(), credAccessToken, &e.Extra
	case SectionRefreshToken:
		e := new(RefreshToken)
		d.entry, d.fields, d.credentialType, extra = e, e.fields(), credRefreshToken, &e.Extra
	case SectionIDToken:
		e := new(IDToken)
		d.entry, d.fields, d.credentialType, extra = e, e.fields(), credIDToken, &e.Extra
	case SectionAccount:
		e := new(Account)
		d.entry, d.fields, extra = e, e.fields(), &e.Extra
	case SectionAppMetadata:
		e := new(AppMetadata)
		d.entry, d.fields, extra = e, e.fields(), &e.Extra
	default:
		return d, fmt.Errorf("%q is not an entry section", clip(section))
	}
	var err error
	*extra, d.flat, err = decodeEntryFields(raw, d.credentialType, d.fields)
	d.extra = *extra
	return d, err
}

// entryInfo fills in what Parse and Marshal would make of the decoded
// entry e (d.entry) of about size bytes; compact says its kept members may
// hold whitespace.
func entryInfo[E any, P entryPtr[E]](e P, d decodedEntry, key string, size int, compact bool) (EntryInfo, error) {
	info := EntryInfo{Key: key, Indexed: e.indexable(), Stamp: e.stamp(), Entry: e}
	if info.Indexed {
		info.Key = e.Key()
	}
	var buf bytes.Buffer
	buf.Grow(size + 64)
	if err := encodeFields(&buf, d.credentialType, d.fields, d.extra); err != nil {
		return info, err
	}
	info.JSON = buf.Bytes()
	if compact {
		var out bytes.Buffer
		if err := json.Compact(&out, info.JSON); err != nil {
			return info, err
		}
		info.JSON = out.Bytes()
	}
	return info, nil
}

// decodeEntryFields is decodeFields, without encoding/json's map and
// reflection when the entry is flat and plain; anything else takes
// decodeFields, so both give the same result.
func decodeEntryFields(data []byte, credentialType string, fields []field) (extra map[string]json.RawMessage, flat bool, err error) {
	var scratch [16]member // an entry's members, on the stack
	members, ok := flatMembers(data, scratch[:0])
	if !ok {
		extra, err = decodeFields(data, credentialType, fields)
		return extra, false, err
	}
	for i := range fields {
		f := &fields[i]
		j := indexMember(members, f.name)
		if j < 0 || string(members[j].raw) == "null" {
			continue
		}
		if err := setPlain(f, members[j]); err != nil {
			return nil, true, fmt.Errorf("member %q: %w", f.name, err)
		}
		members = append(members[:j], members[j+1:]...)
	}
	if credentialType != "" {
		if j := indexMember(members, "credential_type"); j >= 0 && string(members[j].raw) == quotedCredentialType(credentialType) {
			members = append(members[:j], members[j+1:]...)
		}
	}
	if len(members) == 0 {
		return nil, true, nil
	}
	extra = make(map[string]json.RawMessage, len(members))
	for _, m := range members {
		extra[m.name] = m.raw
	}
	return extra, true, nil
}

// setPlain is f.set for a member flatMembers checked: a string needs no
// unquoting, and one of plain ASCII is marked to be written as it is.
func setPlain(f *field, m member) error {
	raw := m.raw
	if len(raw) < 2 || raw[0] != '"' || f.kind != textKind && f.kind != secretKind {
		return f.set(raw)
	}
	if s := string(raw[1 : len(raw)-1]); f.kind == textKind {
		*f.text = s
	} else {
		*f.secret = Secret(s)
	}
	f.verbatim = m.ascii
	return nil
}

func indexMember(members []member, name string) int {
	for i := range members {
		if members[i].name == name {
			return i
		}
	}
	return -1
}

// flatMembers splits a JSON object whose member names and string values
// are valid UTF-8 without escapes, and whose other values are integers,
// true, false or null, all names distinct, appending them to members. ok
// is false for anything else (including invalid JSON), which decodeFields
// then reads or refuses.
func flatMembers(b []byte, members []member) (_ []member, ok bool) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil, skipWS(b, i+1) == len(b)
	}
	for {
		end, _, ok := plainString(b, i)
		if !ok {
			return nil, false
		}
		name := memberName(b[i+1 : end-1])
		if indexMember(members, name) >= 0 {
			return nil, false // the last would win: leave that to encoding/json
		}
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return nil, false
		}
		i = skipWS(b, i+1)
		vend, ascii, ok := plainValue(b, i)
		if !ok {
			return nil, false
		}
		members = append(members, member{name: name, raw: b[i:vend:vend], ascii: ascii})
		i = skipWS(b, vend)
		if i >= len(b) {
			return nil, false
		}
		switch b[i] {
		case '}':
			return members, skipWS(b, i+1) == len(b)
		case ',':
			i = skipWS(b, i+1)
		default:
			return nil, false
		}
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// memberName is name as a string, without allocating one for the names
// the schema has: an entry has about ten members.
func memberName(name []byte) string {
	switch string(name) { // compared, not converted
	case "home_account_id":
		return "home_account_id"
	case "environment":
		return "environment"
	case "client_id":
		return "client_id"
	case "realm":
		return "realm"
	case "target":
		return "target"
	case "secret":
		return "secret"
	case "credential_type":
		return "credential_type"
	case "token_type":
		return "token_type"
	case "cached_at":
		return "cached_at"
	case "expires_on":
		return "expires_on"
	case "extended_expires_on":
		return "extended_expires_on"
	case "refresh_on":
		return "refresh_on"
	case "key_id":
		return "key_id"
	case "family_id":
		return "family_id"
	case "last_modification_time":
		return "last_modification_time"
	case "local_account_id":
		return "local_account_id"
	case "username":
		return "username"
	case "authority_type":
		return "authority_type"
	case "account_source":
		return "account_source"
	}
	return string(name)
}

// plainString returns the end of the string at b[i] when it holds no
// escape, no control character and only valid UTF-8; ascii reports that
// it is all plainASCII, which a writer may copy as it is.
func plainString(b []byte, i int) (end int, ascii, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false, false
	}
	j := bytes.IndexByte(b[i+1:], '"')
	if j < 0 {
		return 0, false, false
	}
	body := b[i+1 : i+1+j]
	rest := body[plainASCII(body):]
	for _, c := range rest {
		if c == '\\' || c < 0x20 {
			return 0, false, false
		}
	}
	if !utf8.Valid(rest) {
		return 0, false, false
	}
	return i + j + 2, len(rest) == 0, true
}

// plainASCII returns the length of the prefix of s made of printable
// ASCII other than '"' and '\\': what a JSON string holds as it is. It
// looks at eight bytes at a time (tokens are long).
func plainASCII[T string | []byte](s T) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		q, bs := x^(0x22*lo), x^(0x5c*lo)
		// a byte below 0x20, a byte from 0x80, a '"', a '\\'
		if ((x-0x20*lo)&^x|x|(q-lo)&^q|(bs-lo)&^bs)&hi != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' {
			break
		}
	}
	return i
}

// plainValue returns the end of the plain value at b[i]: a plain string,
// an integer in JSON's grammar, true, false or null.
func plainValue(b []byte, i int) (end int, ascii, ok bool) {
	if i >= len(b) {
		return 0, false, false
	}
	switch c := b[i]; {
	case c == '"':
		return plainString(b, i)
	case c == '-' || c >= '0' && c <= '9':
		j := i
		if b[j] == '-' {
			j++
		}
		start := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == start || b[start] == '0' && j-start > 1 {
			return 0, false, false
		}
		if j < len(b) && (b[j] == '.' || b[j] == 'e' || b[j] == 'E') {
			return 0, false, false
		}
		return j, false, true
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(b[i:], []byte(lit)) {
				return i + len(lit), false, true
			}
		}
		return 0, false, false
	}
}
