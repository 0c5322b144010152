package overview

import (
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
