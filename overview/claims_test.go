package overview

import (
	"strings"
	"testing"
	"time"
)

func TestClaimLines(t *testing.T) {
	t.Setenv("TZ", "UTC")
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	iat := float64(now.Add(-time.Hour).Unix())
	lines := ClaimLines(map[string]any{
		"iat":     iat,
		"exp":     iat + 3600,
		"pwd_exp": float64(30 * 24 * 3600),
		"oid":     "0a1b",
		"roles":   []any{"a", "b"},
		"ver":     "2.0",
		"n":       1.5,
		"huge":    1e300,
	}, now)
	got := map[string]ClaimLine{}
	var order []string
	for _, l := range lines {
		got[l.Name] = l
		order = append(order, l.Name)
	}
	if strings.Join(order, " ") != "exp huge iat n oid pwd_exp roles ver" {
		t.Errorf("order %v, want sorted by name", order)
	}
	for name, want := range map[string]ClaimLine{
		"exp":     {Value: "1796126400", Note: "2026-12-01 12:00:00 UTC, in 0s"},
		"iat":     {Value: "1796122800", Note: "2026-12-01 11:00:00 UTC, 1h00m ago"},
		"pwd_exp": {Value: "2592000", Note: "password expires 2026-12-31 11:00:00 UTC, in 29d23h"},
		"oid":     {Value: "0a1b"},
		"roles":   {Value: `["a","b"]`},
		"n":       {Value: "1.5"},
		"huge":    {Value: "1e+300"},
	} {
		want.Name = name
		if got[name] != want {
			t.Errorf("%s: %+v, want %+v", name, got[name], want)
		}
	}
}
