package engine

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Entra and the proxies in front of it do not always send a member in the
// type its documentation names: numbers arrive as strings ("3599"),
// error_additional_info as one string instead of a list, foci as 1. The
// readers below take each member on its own and keep what parses, so one
// odd member never loses the whole answer.

// jsonMembers splits a JSON object into its members; false when the body
// is not an object at all.
func jsonMembers(data []byte) (map[string]json.RawMessage, bool) {
	var members map[string]json.RawMessage
	if json.Unmarshal(data, &members) != nil || members == nil {
		return nil, false
	}
	return members, true
}

// lenientString reads a string member, or a number's literal text; any
// other type reads as absent.
func lenientString(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return ""
	}
	switch c := raw[0]; {
	case c == '"':
		// most members hold no escapes: skip the reflection of Unmarshal
		if n := len(raw); n >= 2 && raw[n-1] == '"' {
			if body := raw[1 : n-1]; bytes.IndexByte(body, '\\') < 0 && bytes.IndexByte(body, '"') < 0 && utf8.Valid(body) && !hasControl(body) {
				return string(body)
			}
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	case c == '-' || (c >= '0' && c <= '9'):
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			return n.String()
		}
	}
	return ""
}

// lenientStrings reads a list of strings (numbers kept as text), or one
// string as a one-element list.
func lenientStrings(raw json.RawMessage) []string {
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		if s := lenientString(raw); s != "" {
			return []string{s}
		}
		return nil
	}
	var out []string
	for _, item := range list {
		if s := lenientString(item); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// lenientInts reads AADSTS numbers: a list of numbers or numeric strings,
// or a single one. Items that are not whole numbers are skipped.
func lenientInts(raw json.RawMessage) []int {
	var out []int
	for _, s := range lenientStrings(raw) {
		s = strings.TrimPrefix(strings.TrimSpace(s), "AADSTS")
		if n, err := strconv.Atoi(s); err == nil {
			out = append(out, n)
		}
	}
	return out
}

// maxLifetime bounds every lifetime a server states (expires_in,
// ext_expires_in, refresh_in, a device code's expires_in, Retry-After
// after its own cap): no token Entra issues lives a year, so a larger
// value is a broken or hostile answer, and a year is still far from the
// int64 and time.Duration limits.
const maxLifetime = 365 * 24 * time.Hour

// boundedSeconds reads a count of seconds sent as a JSON number or a
// decimal string. Absent, unreadable, not finite, zero or negative values
// read as 0 (absent, so the caller's default applies); values over
// maxLifetime are clamped to it. This is the one rule for every lifetime
// the engine receives.
func boundedSeconds(text string) time.Duration {
	text = strings.TrimSpace(text)
	if text == "" {
		return 0
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !isRangeError(err) {
		return 0
	}
	switch {
	case math.IsNaN(f) || f <= 0:
		return 0
	case f >= maxLifetime.Seconds():
		return maxLifetime
	}
	return time.Duration(f) * time.Second
}

func isRangeError(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// flexSeconds is a lifetime member read with boundedSeconds; it never
// fails to decode.
type flexSeconds time.Duration

// UnmarshalJSON reads a number or a numeric string; anything else is 0.
func (f *flexSeconds) UnmarshalJSON(data []byte) error {
	*f = flexSeconds(boundedSeconds(lenientString(data)))
	return nil
}

// duration is the lifetime as a time.Duration.
func (f flexSeconds) duration() time.Duration { return time.Duration(f) }

// hasControl reports a raw control byte, which JSON strings may not hold
// unescaped: such a member goes through encoding/json and is refused.
func hasControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}
