package overview

import (
	"fmt"
	"time"
)

// Relative says how far t is from now in words: "in 42m10s", "3h05m ago".
func Relative(t, now time.Time) string {
	d := t.Sub(now)
	if d >= 0 {
		return "in " + HumanDuration(d)
	}
	return HumanDuration(-d) + " ago"
}

// HumanDuration rounds a duration to its two largest units: 45s, 12m05s,
// 3h20m, 4d02h.
func HumanDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	default:
		return fmt.Sprintf("%dd%02dh", int(d.Hours())/24, int(d.Hours())%24)
	}
}
