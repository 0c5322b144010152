package overview

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxIDTokenLength is the longest ID token whose claims a listing reads,
// as engine.DecodeClaimsUnverified allows.
const maxIDTokenLength = 64 << 10

// idTokenClaims reads the two claims a listing shows of an ID token, name
// and exp, from its claims segment, verifying nothing (the token comes
// from the cache). engine.DecodeClaimsUnverified parses the header, the
// signature and every claim: an import of 10 000 accounts spent an eighth
// of its time there. It gives what that decoder gives for every token the
// decoder reads (TestIDTokenClaimsAsEngine, FuzzIDTokenClaimsAsEngine); of
// a token the decoder refuses it may still read the claims.
func idTokenClaims(token string) (name string, exp int64, ok bool) {
	token = strings.TrimSpace(token)
	if len(token) > maxIDTokenLength || strings.Count(token, ".") != 2 {
		return "", 0, false
	}
	header, rest, _ := strings.Cut(token, ".")
	payload, _, _ := strings.Cut(rest, ".")
	if header == "" {
		return "", 0, false
	}
	// go-jose takes the segments with or without padding
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(payload, "="))
	if err != nil || !json.Valid(raw) {
		return "", 0, false
	}
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) > 0 && raw[0] == 'n' { // null: no claims
		return "", 0, true
	}
	if len(raw) == 0 || raw[0] != '{' {
		return "", 0, false
	}
	var nameVal, expVal []byte
	eachClaim(raw, func(key, val []byte) {
		switch {
		case keyIs(key, "name"):
			nameVal = val
		case keyIs(key, "exp"):
			expVal = val
		}
	})
	if len(nameVal) > 0 && nameVal[0] == '"' {
		name = jsonString(nameVal)
	}
	if len(expVal) > 0 && (expVal[0] == '-' || expVal[0] >= '0' && expVal[0] <= '9') {
		if f, err := strconv.ParseFloat(string(expVal), 64); err == nil {
			exp = int64(f)
		}
	}
	return name, exp, true
}

// eachClaim calls fn with the raw key and value of each member of obj, a
// valid JSON object.
func eachClaim(obj []byte, fn func(key, val []byte)) {
	i := 1
	for {
		i = skipSpace(obj, i)
		if obj[i] == '}' {
			return
		}
		kEnd := skipValue(obj, i)
		key := obj[i:kEnd]
		i = skipSpace(obj, kEnd) + 1 // ':'
		i = skipSpace(obj, i)
		vEnd := skipValue(obj, i)
		fn(key, obj[i:vEnd])
		i = skipSpace(obj, vEnd)
		if obj[i] == ',' {
			i++
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// skipValue returns the end of the valid JSON value at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		for i++; b[i] != '"'; i++ {
			if b[i] == '\\' {
				i++
			}
		}
		return i + 1
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch b[i] {
			case '"':
				i = skipValue(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	default: // number, true, false, null
		for ; i < len(b); i++ {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\r', '\n':
				return i
			}
		}
		return i
	}
}

// keyIs reports whether a member's raw name, a JSON string, is want.
func keyIs(raw []byte, want string) bool {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1:len(raw)-1]) == want
	}
	return jsonString(raw) == want
}

// jsonString decodes a valid JSON string as encoding/json does (escapes,
// and invalid UTF-8 made U+FFFD), without it when there is nothing to do.
func jsonString(raw []byte) string {
	inner := raw[1 : len(raw)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner)
	}
	var s string
	_ = json.Unmarshal(raw, &s)
	return s
}
