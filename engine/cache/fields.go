package cache

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// fieldKind says how a modelled JSON member is read and written.
type fieldKind uint8

const (
	textKind   fieldKind = iota // JSON string
	secretKind                  // JSON string held in a Secret
	epochKind                   // decimal epoch seconds: a JSON string, or a number on input
	rawKind                     // any JSON value, kept verbatim
)

// field binds a JSON member name to a struct field, so one table per entry
// type drives both reading and writing.
type field struct {
	name string
	kind fieldKind
	// always makes an empty string member be written anyway: MSAL Python
	// reads members like "username" with a subscript and fails when they
	// are missing.
	always bool
	text   *string
	secret *Secret
	epoch  *int64
	raw    *json.RawMessage
	// verbatim says the text or secret, as the table was read, is plain
	// ASCII (setPlain): writing it back needs no second look at a token.
	verbatim bool
}

func textField(name string, p *string, always bool) field {
	return field{name: name, kind: textKind, text: p, always: always}
}

func secretField(name string, p *Secret) field {
	return field{name: name, kind: secretKind, secret: p, always: true}
}

func epochField(name string, p *int64) field {
	return field{name: name, kind: epochKind, epoch: p}
}

// numberField is an epoch member MSAL Python writes on every entry and
// reads with int(entry[name]) (an access token's expires_on) or sorts by
// (last_modification_time): it is always written as a decimal, "0" when
// unknown, even over an empty or null value an imported entry held, since
// MSAL Python fails over the whole cache on a missing or non-numeric one.
func numberField(name string, p *int64) field {
	return field{name: name, kind: epochKind, epoch: p, always: true}
}

// forced reports a member written whatever the entry's Extra holds.
func (f *field) forced() bool { return f.always && f.kind == epochKind }

func rawField(name string, p *json.RawMessage) field {
	return field{name: name, kind: rawKind, raw: p, always: true}
}

func (f *field) isZero() bool {
	switch f.kind {
	case textKind:
		return *f.text == ""
	case secretKind:
		return *f.secret == ""
	case epochKind:
		return *f.epoch == 0
	default:
		return len(*f.raw) == 0
	}
}

// set stores one JSON member. Error messages never quote the value, which
// could be a token.
func (f *field) set(raw json.RawMessage) error {
	switch f.kind {
	case textKind, secretKind:
		s, err := unquote(raw)
		if err != nil {
			return err
		}
		if f.kind == textKind {
			*f.text = s
		} else {
			*f.secret = Secret(s)
		}
	case epochKind:
		v, err := parseEpoch(raw)
		if err != nil {
			return err
		}
		*f.epoch = v
	default:
		*f.raw = slices.Clone(raw)
	}
	return nil
}

// unquote decodes a JSON string. Most cache strings hold no escapes, so
// those skip encoding/json and its reflection.
func unquote(raw json.RawMessage) (string, error) {
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' {
		body := raw[1 : n-1]
		simple := utf8.Valid(body)
		for _, b := range body {
			if b == '\\' || b == '"' || b < 0x20 {
				simple = false
				break
			}
		}
		if simple {
			return string(body), nil
		}
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errors.New("not a string")
	}
	return s, nil
}

// parseEpoch accepts decimal epoch seconds as a JSON string (what MSAL
// writes) or a JSON number (what hand-written and some older files hold).
func parseEpoch(raw json.RawMessage) (int64, error) {
	if v, ok := quotedDigits(raw); ok {
		return v, nil // the usual form, read without making a string
	}
	text := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		var err error
		if text, err = unquote(raw); err != nil {
			return 0, errors.New("not an epoch")
		}
		text = strings.TrimSpace(text)
		if text == "" {
			return 0, nil
		}
	}
	if v, err := strconv.ParseInt(text, 10, 64); err == nil {
		return v, nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(f) || f < -9e18 || f > 9e18 {
		return 0, errors.New("not an epoch")
	}
	return int64(f), nil
}

// quotedDigits reads "N", N one to 18 decimal digits (no int64 overflow):
// what strconv.ParseInt makes of N, which parseEpoch would otherwise do.
func quotedDigits(raw []byte) (int64, bool) {
	if len(raw) < 3 || len(raw) > 20 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return 0, false
	}
	var v int64
	for _, c := range raw[1 : len(raw)-1] {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// decodeFields reads the JSON object data into fields and returns the
// members it does not model. A member whose value is null stays in the
// returned map: MSAL Python writes None for a missing home_account_id or
// family_id and matches on it, so the null has to be written back as null.
// credentialType, when not empty, is the expected "credential_type"; a
// matching member is dropped because the encoder writes it anyway.
func decodeFields(data []byte, credentialType string, fields []field) (map[string]json.RawMessage, error) {
	if !isObject(data) {
		return nil, errors.New("entry is not a JSON object")
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return nil, fmt.Errorf("entry: %w", err)
	}
	for i := range fields {
		f := &fields[i]
		raw, ok := members[f.name]
		if !ok || isNull(raw) {
			continue
		}
		if err := f.set(raw); err != nil {
			return nil, fmt.Errorf("member %q: %w", f.name, err)
		}
		delete(members, f.name)
	}
	if credentialType != "" {
		if raw, ok := members["credential_type"]; ok && string(raw) == quotedCredentialType(credentialType) {
			delete(members, "credential_type")
		}
	}
	if len(members) == 0 {
		return nil, nil
	}
	return members, nil
}

// member is one name/value pair waiting to be written in sorted order.
type member struct {
	name  string
	field *field          // modelled member, or
	raw   json.RawMessage // verbatim one
	ascii bool            // raw is a string of plainASCII (flatMembers)
}

// encodeFields writes a compact JSON object with members sorted by name, so
// the output does not depend on map order. A modelled field with a value
// wins over an Extra member of the same name; an empty one leaves the Extra
// member (often a null) in place.
func encodeFields(buf *bytes.Buffer, credentialType string, fields []field, extra map[string]json.RawMessage) error {
	var scratch [16]member // an entry's members, on the stack
	members := scratch[:0]
	shadowed := func(name string) bool {
		for i := range fields {
			if fields[i].name == name && (!fields[i].isZero() || fields[i].forced()) {
				return true
			}
		}
		return false
	}
	for name, raw := range extra {
		if shadowed(name) {
			continue
		}
		if !json.Valid(raw) {
			return fmt.Errorf("extra member %q is not valid JSON", name)
		}
		members = append(members, member{name: name, raw: raw})
	}
	for i := range fields {
		f := &fields[i]
		if f.isZero() {
			if _, kept := extra[f.name]; (kept && !f.forced()) || !f.always {
				continue
			}
		}
		members = append(members, member{name: f.name, field: f})
	}
	if _, kept := extra["credential_type"]; credentialType != "" && !kept {
		members = append(members, member{name: "credential_type", raw: json.RawMessage(quotedCredentialType(credentialType))})
	}
	slices.SortFunc(members, func(a, b member) int { return strings.Compare(a.name, b.name) })

	buf.WriteByte('{')
	for i, m := range members {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeString(buf, m.name)
		buf.WriteByte(':')
		if m.field == nil {
			buf.Write(m.raw)
			continue
		}
		writeFieldValue(buf, m.field)
	}
	buf.WriteByte('}')
	return nil
}

func writeFieldValue(buf *bytes.Buffer, f *field) {
	switch f.kind {
	case textKind:
		writeText(buf, *f.text, f.verbatim)
	case secretKind:
		writeText(buf, f.secret.Reveal(), f.verbatim)
	case epochKind:
		var digits [24]byte
		buf.Write(append(strconv.AppendInt(append(digits[:0], '"'), *f.epoch, 10), '"'))
	default:
		if len(*f.raw) == 0 {
			buf.WriteString("null")
		} else {
			buf.Write(*f.raw)
		}
	}
}

// writeText is writeString, or s between quotes when the caller knows s
// is plainASCII.
func writeText(buf *bytes.Buffer, s string, verbatim bool) {
	if !verbatim {
		writeString(buf, s)
		return
	}
	buf.WriteByte('"')
	buf.WriteString(s)
	buf.WriteByte('"')
}

// writeString writes s as a JSON string. Unlike encoding/json it leaves <, >
// and & alone (scopes are URLs); invalid UTF-8 becomes U+FFFD as there.
// Runs that need no escape are written whole: tokens are long.
func writeString(buf *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	start := 0
	for i := plainASCII(s); i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf.WriteString(s[start:i])
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
			default:
				buf.WriteString(`\u00`)
				buf.WriteByte(hex[c>>4])
				buf.WriteByte(hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			buf.WriteString(s[start:i])
			buf.WriteString(`\ufffd`)
		case r == '\u2028' || r == '\u2029':
			// JavaScript line separators, escaped as encoding/json does.
			buf.WriteString(s[start:i])
			buf.WriteString(`\u202`)
			buf.WriteByte(hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	buf.WriteString(s[start:])
	buf.WriteByte('"')
}

func isObject(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '{'
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}
