package accounts

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/list"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"acctui/overview"
	"acctui/tui/common"
)

// item is one account in the list; active marks the active account.
type item struct {
	acct   overview.Account
	active bool
}

// FilterValue is what the filter matches: what the row shows (name,
// username, tenant domain), not the GUIDs.
func (i item) FilterValue() string {
	p := filterParts(i.acct)
	return p[0] + " " + p[1] + " " + p[2]
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
	parts := filterParts(a)
	base, detail := s.Row, s.RowDetail
	if selected {
		base, detail = s.RowSelected, s.RowDetailSelected
	}
	hl := highlighter{matches: m.MatchesForItem(index), style: s.Accent.Underline(true)}
	marker := "  "
	if selected {
		marker = "▸ "
	}
	nameWidth := max(width-badgeWidth-1, 4)
	name := hl.apply(parts[0], 0, base)
	user := hl.apply(parts[1], utf8.RuneCountInString(parts[0])+1, detail)
	tenant := hl.apply(parts[2], utf8.RuneCountInString(parts[0])+utf8.RuneCountInString(parts[1])+2, detail)
	line1 := common.Truncate(marker+name, nameWidth-1)
	if it.active {
		// Words, not only a symbol: the mark reads without colour and says
		// what `acctui accounts` says. The name gives way to it.
		tagWidth := lipgloss.Width(common.ActiveTag) + 1
		line1 = base.Render(common.Truncate(marker+name, max(nameWidth-1-tagWidth, 3))) +
			base.Render(" ") + s.Accent.Inherit(base).Render(common.ActiveTag)
	} else {
		line1 = base.Render(line1)
	}
	if pad := nameWidth - lipgloss.Width(line1); pad > 0 {
		line1 += base.Render(strings.Repeat(" ", pad))
	}
	second := "  " + user
	if parts[2] != "" {
		second += " · " + tenant
	}
	line2 := detail.Render(common.PadRight(common.Truncate(second, width), width))
	// The gap before the badge takes the row style, so a selected row is
	// highlighted from edge to edge.
	fmt.Fprint(w, line1+base.Render(" ")+badge+"\n"+line2)
}

// highlighter marks the runes the filter matched; matches are rune
// positions in FilterValue, offset where a part starts in it.
type highlighter struct {
	matches []int
	style   lipgloss.Style
}

// apply marks the matched runes of text, which starts at offset in
// FilterValue, keeping the row's own style (the selected row's background)
// around and under the marks.
func (h highlighter) apply(text string, offset int, row lipgloss.Style) string {
	if len(h.matches) == 0 {
		return text
	}
	var local []int
	n := utf8.RuneCountInString(text)
	for _, i := range h.matches {
		if i >= offset && i < offset+n {
			local = append(local, i-offset)
		}
	}
	if len(local) == 0 {
		return text
	}
	return lipgloss.StyleRunes(text, local, h.style.Inherit(row), row)
}
