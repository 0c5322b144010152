package overview

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"
)

// ClaimLine is one claim of a decoded token as people read it.
type ClaimLine struct {
	Name string
	// Value is the claim as text: a string as it is, a whole number up to
	// 2^53 (all a float64 holds exactly) as an integer, anything else as
	// its JSON.
	Value string
	// Note, for a claim that is a time, says which: the date and how far
	// it is from now, or that it is no date at all. Empty for the others.
	Note string
}

// Text is the value as decode and the TUI show it: the value, then the
// note in brackets when there is one. It is the issuer's text: sanitise it
// before printing.
func (l ClaimLine) Text() string {
	if l.Note == "" {
		return l.Value
	}
	return l.Value + "  (" + l.Note + ")"
}

// timeClaims hold a NumericDate: seconds since 1970, maybe with a fraction.
var timeClaims = map[string]bool{"iat": true, "nbf": true, "exp": true, "auth_time": true, "xms_tcdt": true}

// ClaimLines is how the command line's decode and the TUI show claims,
// sorted by name. pwd_exp is not a date but, as MS-OIDCE defines it, the
// seconds from issue (iat) until the password expires; its note is that
// date. Names and values are the issuer's text: print them through
// safetext.
func ClaimLines(claims map[string]any, now time.Time) []ClaimLine {
	names := make([]string, 0, len(claims))
	for k := range claims {
		names = append(names, k)
	}
	sort.Strings(names)
	lines := make([]ClaimLine, len(names))
	for i, k := range names {
		lines[i] = ClaimLine{Name: k, Value: ClaimValue(claims[k])}
		n, isNumber := claims[k].(float64)
		switch {
		case !isNumber:
		case timeClaims[k]:
			lines[i].Note = DescribeNumericDate(n, now)
		case k == "pwd_exp":
			if iat, ok := claims["iat"].(float64); ok {
				lines[i].Note = "password expires " + DescribeNumericDate(iat+n, now)
			}
		}
	}
	return lines
}

// ClaimValue is a claim's value as ClaimLine.Value shows it.
func ClaimValue(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		if v == math.Trunc(v) && math.Abs(v) <= 1<<53 {
			return strconv.FormatInt(int64(v), 10)
		}
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(raw)
}

// Seconds since 1970 of the first and last instants a date can be written
// for (0001-01-01 and 9999-12-31 23:59:59 UTC).
const (
	firstWritableSecond = -62135596800
	lastWritableSecond  = 253402300799
)

// DescribeNumericDate words a NumericDate (seconds since 1970, possibly
// with a fraction): the date in local time and how far it is from now, or
// that it is no date at all. A value outside years 1–9999 is said to be so
// instead of being converted to an integer, which would wrap.
func DescribeNumericDate(seconds float64, now time.Time) string {
	if math.IsNaN(seconds) || seconds < firstWritableSecond || seconds > lastWritableSecond {
		return "not a date: outside the years 1 to 9999"
	}
	whole := math.Floor(seconds)
	t := time.Unix(int64(whole), int64((seconds-whole)*1e9))
	return t.Local().Format("2006-01-02 15:04:05 MST") + ", " + farRelative(seconds, t, now)
}

// farRelative is Relative, in years when the distance passes what a
// time.Duration holds (292 years) and would be clamped.
func farRelative(seconds float64, t, now time.Time) string {
	const year = 365.2425 * 24 * 3600
	diff := seconds - float64(now.Unix())
	switch {
	case diff >= 200*year:
		return fmt.Sprintf("in about %.0f years", diff/year)
	case diff <= -200*year:
		return fmt.Sprintf("about %.0f years ago", -diff/year)
	}
	return Relative(t, now)
}
