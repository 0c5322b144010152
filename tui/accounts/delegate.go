package accounts

import (
	"fmt"
	"io"
	"strings"

	"charm.land/bubbles/v2/list"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"acctui/internal/safetext"
	"acctui/overview"
	"acctui/tui/common"
)

// item is one account in the list.
type item struct{ acct overview.Account }

// FilterValue is what the filter matches: name, username and tenant.
func (i item) FilterValue() string {
	return i.acct.Name + " " + i.acct.Username + " " + i.acct.TenantID
}

// delegate draws an account on two lines: name and badge, then username
// and tenant.
type delegate struct{ c *common.Common }

// Height is two lines per account.
func (d delegate) Height() int { return 2 }

// Spacing is one blank line between accounts.
func (d delegate) Spacing() int { return 1 }

// Update does nothing: the screen handles the keys.
func (d delegate) Update(tea.Msg, *list.Model) tea.Cmd { return nil }

// Render draws one account.
func (d delegate) Render(w io.Writer, m list.Model, index int, li list.Item) {
	it, ok := li.(item)
	if !ok {
		return
	}
	s := d.c.Styles
	now := d.c.Now()
	a := it.acct
	width := m.Width()
	selected := index == m.Index()

	badge := common.Badge(s, common.LiveStatus(a, now), a.ExpiresOn, now)
	badgeWidth := lipgloss.Width(badge)
	title := safetext.Line(a.Name)
	if title == "" {
		title = safetext.Line(a.Username)
	}
	marker := "  "
	if selected {
		marker = "▸ "
	}
	nameWidth := max(width-badgeWidth-1, 4)
	line1 := common.PadRight(common.Truncate(marker+title, nameWidth-1), nameWidth)
	line2 := common.PadRight(common.Truncate("  "+safetext.Line(a.Username)+" · tenant "+safetext.Line(a.TenantID), width), width)
	if selected {
		line1 = s.RowSelected.Render(line1)
		line2 = s.RowDetailSelected.Render(line2)
	} else {
		line1 = s.Row.Render(line1)
		line2 = s.RowDetail.Render(line2)
	}
	fmt.Fprint(w, strings.TrimRight(line1+" "+badge, " ")+"\n"+line2)
}
