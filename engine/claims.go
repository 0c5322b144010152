package engine

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// maxClaimsChallenge bounds what ParseClaimsChallenge reads: challenges
// are a few hundred bytes.
const maxClaimsChallenge = 16 << 10

// ErrClaimsChallenge means a claims challenge could not be read.
var ErrClaimsChallenge = errors.New("engine: the claims challenge is not a JSON object, its base64url encoding, or a WWW-Authenticate header value with claims=")

// ParseClaimsChallenge reads a claims challenge the way resources hand it
// out and returns its JSON, ready for WithClaims. It accepts the JSON
// itself, the base64url (or base64) value of a WWW-Authenticate header's
// claims parameter, and the whole header value, with or without the
// "WWW-Authenticate:" name, for example
//
//	Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsi..."
func ParseClaimsChallenge(value string) (string, error) {
	value = strings.TrimSpace(value)
	if value == "" || len(value) > maxClaimsChallenge {
		return "", ErrClaimsChallenge
	}
	if json, ok := claimsJSON(value); ok {
		return json, nil
	}
	if param, ok := challengeParam(value, "claims"); ok {
		if json, ok := claimsJSON(param); ok {
			return json, nil
		}
	}
	return "", ErrClaimsChallenge
}

// claimsJSON reads a JSON object, or one encoded in base64url or base64
// (padded or not).
func claimsJSON(value string) (string, bool) {
	if isJSONObject([]byte(value)) {
		return value, true
	}
	trimmed := strings.TrimRight(value, "=")
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.RawStdEncoding} {
		if data, err := enc.DecodeString(trimmed); err == nil && isJSONObject(data) {
			return string(bytes.TrimSpace(data)), true
		}
	}
	return "", false
}

func isJSONObject(data []byte) bool {
	data = bytes.TrimSpace(data)
	var obj map[string]json.RawMessage
	return len(data) > 0 && data[0] == '{' && json.Unmarshal(data, &obj) == nil
}

// challengeParam finds an auth-param of a WWW-Authenticate value
// (RFC 9110: name=token or name="quoted string", comma separated, after a
// scheme name). The header's own name may come first.
func challengeParam(header, name string) (string, bool) {
	if i := strings.Index(header, ":"); i > 0 && strings.EqualFold(strings.TrimSpace(header[:i]), "WWW-Authenticate") {
		header = header[i+1:]
	}
	s := header
	for s != "" {
		eq := strings.Index(s, "=")
		if eq < 0 {
			return "", false
		}
		// the parameter name is the last word before "="
		before := strings.TrimRight(s[:eq], " \t")
		key := before[strings.LastIndexAny(before, " \t,")+1:]
		rest := strings.TrimLeft(s[eq+1:], " \t")
		var val string
		if strings.HasPrefix(rest, `"`) {
			var b strings.Builder
			i := 1
			for ; i < len(rest) && rest[i] != '"'; i++ {
				if rest[i] == '\\' && i+1 < len(rest) {
					i++
				}
				b.WriteByte(rest[i])
			}
			val, s = b.String(), rest[min(i+1, len(rest)):]
		} else {
			end := strings.IndexAny(rest, ", \t")
			if end < 0 {
				end = len(rest)
			}
			// a token68 value or a base64 value ends in "=" padding
			for end < len(rest) && rest[end] == '=' {
				end++
			}
			val, s = rest[:end], rest[end:]
		}
		if strings.EqualFold(key, name) {
			return val, true
		}
	}
	return "", false
}
