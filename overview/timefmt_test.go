package overview

import (
	"fmt"
	"testing"
	"time"
)

func TestHumanTimes(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for d, want := range map[time.Duration]string{
		45 * time.Second:                   "in 45s",
		12*time.Minute + 5*time.Second:     "in 12m05s",
		-(3*time.Hour + 20*time.Minute):    "3h20m ago",
		98 * time.Hour:                     "in 4d02h",
		-(59*time.Minute + 59*time.Second): "59m59s ago",
	} {
		if got := Relative(now.Add(d), now); got != want {
			t.Errorf("Relative(%s) = %q, want %q", d, got, want)
		}
	}
}

// HumanDuration gives what the fmt.Sprintf formatting it replaced gave,
// at every boundary and in between.
func TestHumanDurationAsSprintf(t *testing.T) {
	sprintf := func(d time.Duration) string {
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
	var ds []time.Duration
	for _, b := range []time.Duration{0, time.Second, time.Minute, time.Hour, 48 * time.Hour, 1000 * time.Hour} {
		for _, off := range []time.Duration{-time.Second, -500 * time.Millisecond, -499 * time.Millisecond, 0, 499 * time.Millisecond, 500 * time.Millisecond, time.Second} {
			ds = append(ds, b+off, -(b + off))
		}
	}
	for d := time.Duration(0); d < 100*time.Hour; d += 7*time.Minute + 13*time.Second {
		ds = append(ds, d)
	}
	for _, d := range ds {
		if got, want := HumanDuration(d), sprintf(d); got != want {
			t.Errorf("HumanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}
