package common

import (
	"strings"
	"time"

	"acctui/overview"
	"acctui/themes"
)

// Claims draws decoded token claims as overview.ClaimLines words them for
// the command line's decode too (a time's note in brackets after its
// value), one field each, indented by two cells. The label column is at
// least labelWidth, wider for long claim names up to a third of width.
func Claims(s *themes.Styles, claims map[string]any, now time.Time, labelWidth, width int) string {
	lines := overview.ClaimLines(claims, now)
	for _, l := range lines {
		labelWidth = max(labelWidth, min(len(l.Name)+4, width/3))
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		// Field sanitises both: they are whatever the token's issuer wrote.
		out[i] = Field(s, "  "+l.Name, l.Text(), labelWidth, width)
	}
	return strings.Join(out, "\n")
}
