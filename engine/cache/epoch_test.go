package cache

import (
	"bytes"
	"math"
	"strconv"
	"testing"
)

// FuzzQuotedDigitsAsParseInt holds parseEpoch's fast path to what
// strconv.ParseInt makes of the same digits.
func FuzzQuotedDigitsAsParseInt(f *testing.F) {
	for _, s := range []string{`"1700000000"`, `"0"`, `"007"`, `"999999999999999999"`, `"9999999999999999999"`,
		`""`, `" 5"`, `"-5"`, `"+5"`, `"1e3"`, `5`, `"5`, `"١"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		v, ok := quotedDigits(raw)
		if !ok {
			return
		}
		want, err := strconv.ParseInt(string(raw[1:len(raw)-1]), 10, 64)
		if err != nil || v != want {
			t.Fatalf("quotedDigits(%q) = %d; ParseInt: %d, %v", raw, v, want, err)
		}
		if got, err := parseEpoch(raw); err != nil || got != v {
			t.Fatalf("parseEpoch(%q) = %d, %v", raw, got, err)
		}
	})
}

// TestEpochWrittenAsFormatInt: an epoch member is written as before the
// digits went into a buffer on the stack.
func TestEpochWrittenAsFormatInt(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 1700000000, math.MaxInt64, math.MinInt64} {
		var buf bytes.Buffer
		writeFieldValue(&buf, &field{kind: epochKind, epoch: &v})
		if want := `"` + strconv.FormatInt(v, 10) + `"`; buf.String() != want {
			t.Errorf("epoch %d written %s, want %s", v, buf.String(), want)
		}
	}
}
