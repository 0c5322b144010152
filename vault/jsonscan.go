package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// A small JSON scanner for splitting and merging fragments. encoding/json
// validates every byte through a state machine and builds maps; splitting a
// 1 000-account cache that way cost more than parsing it. The input here is
// the output of (*cache.Cache).Marshal or a fragment this package wrote and
// authenticated, so the scanner only finds value boundaries (strings,
// escapes, nesting) and reports malformed input instead of validating it in
// full; cache.Parse validates the result anyway.

// errScan is returned for input the scanner cannot walk.
var errScan = errors.New("malformed JSON")

// skipSpace returns the index of the first non-whitespace byte at or after i.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\n' || b[i] == '\r' || b[i] == '\t') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"'.
// It jumps from quote to quote; a quote preceded by an odd number of
// backslashes is escaped.
func skipString(b []byte, i int) (int, error) {
	for i++; ; {
		j := bytes.IndexByte(b[i:], '"')
		if j < 0 {
			return 0, errScan
		}
		q := i + j
		n := 0
		for k := q - 1; b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return q + 1, nil
		}
		i = q + 1
	}
}

// skipValue returns the index just past the value starting at b[i].
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errScan
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				end, err := skipString(b, i)
				if err != nil {
					return 0, err
				}
				i = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1, nil
				}
			}
		}
		return 0, errScan
	default: // number, true, false, null
		start := i
		for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\n' && b[i] != '\r' && b[i] != '\t' {
			i++
		}
		if i == start {
			return 0, errScan
		}
		return i, nil
	}
}

// eachMember calls fn with every member of the object b (key decoded,
// value raw, untrimmed of inner whitespace).
func eachMember(b []byte, fn func(key string, val []byte) error) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return fmt.Errorf("%w: not an object", errScan)
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return fmt.Errorf("%w: member name expected", errScan)
		}
		end, err := skipString(b, i)
		if err != nil {
			return err
		}
		key, err := decodeString(b[i:end])
		if err != nil {
			return err
		}
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return fmt.Errorf("%w: ':' expected", errScan)
		}
		i = skipSpace(b, i+1)
		vend, err := skipValue(b, i)
		if err != nil {
			return err
		}
		if err := fn(key, b[i:vend]); err != nil {
			return err
		}
		i = skipSpace(b, vend)
		if i >= len(b) {
			return errScan
		}
		if b[i] == '}' {
			return nil
		}
		if b[i] != ',' {
			return fmt.Errorf("%w: ',' expected", errScan)
		}
		i = skipSpace(b, i+1)
	}
}

// decodeString decodes a quoted JSON string; the common case, no escapes,
// costs no parsing.
func decodeString(q []byte) (string, error) {
	plain := true
	for _, c := range q[1 : len(q)-1] {
		if c == '\\' || c < 0x20 {
			plain = false
			break
		}
	}
	if plain {
		return string(q[1 : len(q)-1]), nil
	}
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return "", fmt.Errorf("%w: %v", errScan, err)
	}
	return s, nil
}

// decodeKey is decodeString for text from a user's file: invalid UTF-8
// becomes U+FFFD, as encoding/json (and so cache.Parse) reads it.
func decodeKey(q []byte) (string, error) {
	if utf8.Valid(q) {
		return decodeString(q)
	}
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return "", fmt.Errorf("%w: %v", errScan, err)
	}
	return s, nil
}

// appendString appends s as a JSON string.
func appendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(dst, q...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// appendCompact appends src without the whitespace between tokens.
func appendCompact(dst, src []byte) []byte {
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case ' ', '\n', '\r', '\t':
			continue
		case '"':
			end, err := skipString(src, i)
			if err != nil {
				return append(dst, src[i:]...)
			}
			dst = append(dst, src[i:end]...)
			i = end - 1
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// isCompact reports whether src has no whitespace between tokens, so that
// appendCompact would copy it unchanged.
func isCompact(src []byte) bool {
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case ' ', '\n', '\r', '\t':
			return false
		case '"':
			end, err := skipString(src, i)
			if err != nil {
				return true // appendCompact copies the rest as it is
			}
			i = end - 1
		}
	}
	return true
}

// stringMembers returns the string values of the named members of object
// b, in the order of names; "" for a member that is absent, null or not a
// string.
func stringMembers(b []byte, names ...string) []string {
	out := make([]string, len(names))
	_ = eachMember(b, func(key string, val []byte) error {
		for i, name := range names {
			if key == name && len(val) > 0 && val[0] == '"' {
				out[i], _ = decodeString(val)
			}
		}
		return nil
	})
	return out
}

// eachMemberRaw is eachMember for objects whose member names need no
// unescaping (the index's own): fn gets the name's bytes between the
// quotes, without an allocation.
func eachMemberRaw(b []byte, fn func(name, val []byte) error) error {
	_, err := walkObject(b, skipSpace(b, 0), func(name []byte, b []byte, i int) (int, error) {
		end, err := skipValue(b, i)
		if err != nil {
			return 0, err
		}
		return end, fn(name, b[i:end])
	})
	return err
}

// walkObject walks the object starting at b[i]: fn gets each member name
// and the position of its value, and returns where the value ends, so a
// value is scanned once, by whoever decodes it. walkObject returns the
// position after the object.
func walkObject(b []byte, i int, fn func(name []byte, b []byte, i int) (int, error)) (int, error) {
	if i >= len(b) || b[i] != '{' {
		return 0, fmt.Errorf("%w: not an object", errScan)
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, fmt.Errorf("%w: member name expected", errScan)
		}
		end, err := skipString(b, i)
		if err != nil {
			return 0, err
		}
		name := b[i+1 : end-1]
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return 0, fmt.Errorf("%w: ':' expected", errScan)
		}
		if i, err = fn(name, b, skipSpace(b, i+1)); err != nil {
			return 0, err
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return 0, errScan
		}
		if b[i] == '}' {
			return i + 1, nil
		}
		if b[i] != ',' {
			return 0, fmt.Errorf("%w: ',' expected", errScan)
		}
		i = skipSpace(b, i+1)
	}
}

// walkArray walks the array starting at b[i] as walkObject walks objects.
func walkArray(b []byte, i int, fn func(b []byte, i int) (int, error)) (int, error) {
	if i >= len(b) || b[i] != '[' {
		return 0, fmt.Errorf("%w: not an array", errScan)
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, nil
	}
	for {
		var err error
		if i, err = fn(b, i); err != nil {
			return 0, err
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return 0, errScan
		}
		if b[i] == ']' {
			return i + 1, nil
		}
		if b[i] != ',' {
			return 0, fmt.Errorf("%w: ',' expected", errScan)
		}
		i = skipSpace(b, i+1)
	}
}

// eachElement calls fn with every element of the array b.
func eachElement(b []byte, fn func(val []byte) error) error {
	_, err := walkArray(b, skipSpace(b, 0), func(b []byte, i int) (int, error) {
		end, err := skipValue(b, i)
		if err != nil {
			return 0, err
		}
		return end, fn(b[i:end])
	})
	return err
}

// stringValue decodes a JSON string value.
func stringValue(val []byte) (string, error) {
	if len(val) < 2 || val[0] != '"' {
		return "", fmt.Errorf("%w: string expected", errScan)
	}
	return decodeString(val)
}

// stringArray decodes a JSON array of strings.
func stringArray(val []byte) ([]string, error) {
	var out []string
	err := eachElement(val, func(el []byte) error {
		s, err := stringValue(el)
		out = append(out, s)
		return err
	})
	return out, err
}
