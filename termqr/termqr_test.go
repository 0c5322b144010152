package termqr

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRenderIsSquareWithQuietZone(t *testing.T) {
	out := Render("https://127.0.0.1:8443/devicelogin", false)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	width := utf8.RuneCountInString(lines[0])
	for i, line := range lines {
		if n := utf8.RuneCountInString(line); n != width {
			t.Fatalf("line %d has %d cells, want %d", i, n, width)
		}
		// the quiet zone: every line starts and ends white
		if !strings.HasPrefix(line, "██") && !(i == len(lines)-1 && strings.HasPrefix(line, "▀▀")) {
			t.Fatalf("line %d lacks the left quiet zone: %q", i, line)
		}
	}
	// half blocks: about twice as wide as tall
	if h := len(lines); h < width/2 || h > width/2+2 {
		t.Errorf("%d lines for %d columns", h, width)
	}
	if !strings.Contains(Render("x", true), "\x1b[30;40m") {
		t.Error("colour mode draws explicit black")
	}
}
