package tests

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestTUIFollowsTerminalResizes: each time the terminal changes size (a
// tmux pane split, a window dragged) the list is laid out again for it:
// rows end at the new right edge, and the key help is on the last row.
// A program that kept an old size leaves rows wrapped or cut short.
func TestTUIFollowsTerminalResizes(t *testing.T) {
	s, _ := startDemo(t)
	for _, size := range []struct{ width, height int }{{60, 20}, {120, 40}, {80, 24}} {
		s.run("resize-window", "-t", s.name, "-x", strconv.Itoa(size.width), "-y", strconv.Itoa(size.height))
		s.waitFor(fmt.Sprintf("the list laid out for %d×%d", size.width, size.height), func(screen string) bool {
			rows := strings.Split(strings.TrimSuffix(screen, "\n"), "\n")
			alice := rowOf(screen, "Alice Example")
			return len(rows) == size.height && utf8.RuneCountInString(alice) == size.width &&
				strings.HasSuffix(rows[len(rows)-1], "q quit")
		})
	}
}
