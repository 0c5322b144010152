package main

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"
)

// TestDecodeShowsAbsurdTimesWithoutWrapping: a token's issuer writes any
// number into exp, iat and nbf. Each is shown as the number it is, and as
// a date only when it is one; nothing is converted so that it wraps (to a
// year before Christ or a negative number).
func TestDecodeShowsAbsurdTimesWithoutWrapping(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		value float64
		want  []string // all in the exp line
	}{
		{"ordinary", 1796140800, []string{"1796140800  (2026-12-01 ", ", in 4h00m)"}},
		{"fraction", 1796140800.5, []string{"1796140800.5  (2026-12-01 "}},
		{"negative", -1e15, []string{"-1000000000000000  (not a date"}},
		{"beyond int64 seconds", 1e19, []string{"10000000000000000000  (not a date"}},
		{"2^63 exactly", math.Ldexp(1, 63), []string{"9223372036854776000  (not a date"}},
		{"huge", 1e300, []string{"1e+300  (not a date"}},
		{"last writable second", 253402300799, []string{"253402300799  (9999-12-31 ", "in about 7973 years)"}},
		{"one past it", 253402300800, []string{"253402300800  (not a date"}},
		{"year one", -62135596800, []string{"-62135596800  (0001-01-01 ", "about 2026 years ago)"}},
		{"before year one", -62135596801, []string{"-62135596801  (not a date"}},
		{"beyond 2^53", 9007199254740993, []string{"9007199254740992  (not a date"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("TZ", "UTC")
			var out bytes.Buffer
			printClaims(&out, map[string]any{"exp": c.value, "sub": "x"}, now)
			var line string
			for _, l := range strings.Split(out.String(), "\n") {
				if strings.HasPrefix(strings.TrimSpace(l), "exp") {
					line = l
				}
			}
			for _, want := range c.want {
				if !strings.Contains(line, want) {
					t.Errorf("exp %v: line %q lacks %q", c.value, line, want)
				}
			}
			if strings.Contains(line, "-292277") || strings.Contains(line, "-9223372036854775808") {
				t.Errorf("exp %v wrapped: %q", c.value, line)
			}
		})
	}
}

// TestDecodeEscapesClaims: claim names and values are the issuer's text;
// printed, they carry no control character.
func TestDecodeEscapesClaims(t *testing.T) {
	var out bytes.Buffer
	printClaims(&out, map[string]any{"na\x1b]0;x\x07me": "Eve\x1b[2J\u202e\nline", "groups": []any{"a\x1bb"}}, time.Now())
	got := out.String()
	for _, bad := range []string{"\x1b", "\a", "\u202e", "\nline"} {
		if strings.Contains(got, bad) {
			t.Errorf("decode printed %q raw: %q", bad, got)
		}
	}
	for _, want := range []string{`na\x1b]0;x\x07me`, `Eve\x1b[2J\u202e line`, `["a\u001bb"]`} {
		if !strings.Contains(got, want) {
			t.Errorf("decode output %q lacks %q", got, want)
		}
	}
}
