package accounts

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"acctui/overview"
	"acctui/tui/common"
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

// listTop is the body row of the first account's first line: the count
// line, then the list's title bar (the filter input while typing one).
const listTop = 2

// click selects the account row under the pointer; a click on the row
// already selected opens it, as enter does.
func (m *Model) click(msg tea.MouseClickMsg) tea.Cmd {
	if msg.Button != tea.MouseLeft || !m.loaded || m.list.SettingFilter() {
		return nil
	}
	y := msg.Y - listTop
	var d delegate
	per := d.Height() + d.Spacing()
	if y < 0 || y%per >= d.Height() {
		return nil
	}
	items := m.list.VisibleItems()
	start, end := m.list.Paginator.GetSliceBounds(len(items))
	i := start + y/per
	if i >= end {
		return nil
	}
	if i == m.list.Index() {
		a, _ := m.Selected()
		return m.c.Send(common.OpenAccountMsg{Account: a})
	}
	m.list.Select(i)
	return nil
}
