package overview

import (
	"strconv"
	"time"
)

// Relative says how far t is from now in words: "in 42m10s", "3h05m ago".
func Relative(t, now time.Time) string { return string(AppendRelative(nil, t, now)) }

// AppendRelative appends Relative(t, now) to dst.
func AppendRelative(dst []byte, t, now time.Time) []byte {
	d := t.Sub(now)
	if d >= 0 {
		return AppendHumanDuration(append(dst, "in "...), d)
	}
	return append(AppendHumanDuration(dst, -d), " ago"...)
}

// HumanDuration rounds a duration to its two largest units: 45s, 12m05s,
// 3h20m, 4d02h.
func HumanDuration(d time.Duration) string { return string(AppendHumanDuration(nil, d)) }

// AppendHumanDuration appends HumanDuration(d) to dst (a listing of 10 000
// accounts formats 40 000 of them).
func AppendHumanDuration(dst []byte, d time.Duration) []byte {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Second)
	two := func(dst []byte, n int64) []byte { // zero-padded to two digits
		if n < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, n, 10)
	}
	switch s := int64(d / time.Second); {
	case d < time.Minute:
		return append(strconv.AppendInt(dst, s, 10), 's')
	case d < time.Hour:
		return append(two(append(strconv.AppendInt(dst, s/60, 10), 'm'), s%60), 's')
	case d < 48*time.Hour:
		return append(two(append(strconv.AppendInt(dst, s/3600, 10), 'h'), s/60%60), 'm')
	default:
		return append(two(append(strconv.AppendInt(dst, s/86400, 10), 'd'), s/3600%24), 'h')
	}
}
