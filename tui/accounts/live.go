package accounts

import (
	"time"

	"acctui/overview"
)

// NextChange is how long until a badge on the visible page reads
// differently (a countdown shows seconds below an hour, minutes below two
// days); ok is false when no visible badge counts down, so nothing needs
// to be drawn again.
func (m Model) NextChange(now time.Time) (wait time.Duration, ok bool) {
	if !m.loaded {
		return 0, false
	}
	items := m.list.VisibleItems()
	start, end := m.list.Paginator.GetSliceBounds(len(items))
	for _, it := range items[start:end] {
		a := it.(item).acct
		if a.ExpiresOn.IsZero() || (a.Status != overview.StatusValid && a.Status != overview.StatusExpiring) {
			continue
		}
		left := a.ExpiresOn.Sub(now)
		var d time.Duration
		switch {
		case left <= 0:
			continue
		case left <= time.Hour+time.Second:
			d = time.Second
		case left < 48*time.Hour:
			d = min(left%time.Minute+time.Second/2, left-time.Hour)
		default:
			d = min(left%time.Hour+time.Second/2, left-48*time.Hour+time.Second)
		}
		d = max(d, time.Second)
		if !ok || d < wait {
			wait, ok = d, true
		}
	}
	return wait, ok
}
