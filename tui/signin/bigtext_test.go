package signin

import (
	"strings"
	"testing"
)

func TestBigTextCoversEntraCodes(t *testing.T) {
	// Entra and the emulator draw user codes from these characters.
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	for _, r := range alphabet + "IO01-" {
		if _, ok := glyphs()[r]; !ok {
			t.Errorf("no glyph for %q", r)
		}
	}
	for r, g := range glyphs() {
		for _, row := range g {
			if len(row) != len(g[0]) {
				t.Errorf("glyph %q has rows of different widths", r)
			}
		}
	}
	big, ok := bigText("HQ7KM2XPD", 60)
	if !ok || len(strings.Split(big, "\n")) != 5 {
		t.Fatalf("bigText = %q, %v", big, ok)
	}
	if _, ok := bigText("HQ7KM2XPD", 20); ok {
		t.Error("bigText ignored the width limit")
	}
	if _, ok := bigText("a?b", 60); ok {
		t.Error("bigText drew a character without a glyph")
	}
}
