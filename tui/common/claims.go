package common

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"acctui/themes"
)

// timeClaims are the registered claims that hold epoch seconds.
var timeClaims = map[string]bool{"exp": true, "iat": true, "nbf": true, "auth_time": true, "pwd_exp": true, "xms_tcdt": true}

// Claims draws decoded token claims sorted by name, one field each, indented
// by two cells. The label column is at least labelWidth, wider for long
// claim names up to a third of width.
func Claims(s *themes.Styles, claims map[string]any, now time.Time, labelWidth, width int) string {
	names := make([]string, 0, len(claims))
	for k := range claims {
		names = append(names, k)
		labelWidth = max(labelWidth, min(len(k)+4, width/3))
	}
	slices.Sort(names)
	lines := make([]string, len(names))
	for i, k := range names {
		lines[i] = Field(s, "  "+k, ClaimValue(k, claims[k], now), labelWidth, width)
	}
	return strings.Join(lines, "\n")
}

// ClaimValue shows a claim for people: times as dates and relative, lists
// joined, objects as compact JSON.
func ClaimValue(name string, v any, now time.Time) string {
	switch v := v.(type) {
	case float64:
		if timeClaims[name] && v > 0 && v < math.MaxInt32*4 {
			return When(time.Unix(int64(v), 0), now)
		}
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return fmt.Sprintf("%d", int64(v))
		}
		return fmt.Sprint(v)
	case json.Number:
		if n, err := v.Int64(); err == nil && timeClaims[name] {
			return When(time.Unix(n, 0), now)
		}
		return v.String()
	case string:
		return v
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = ClaimValue("", e, now)
		}
		return strings.Join(parts, ", ")
	case nil:
		return "null"
	}
	out, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(out)
}
