// Package safetext makes text that did not come from acctui safe to print
// on a terminal. Identity providers, tokens and imported files decide what
// display names, claims and error descriptions contain; printed raw, an
// ESC or C1 byte starts a terminal command (clipboard writes, title
// changes, links, screen clears) and a bidi override reorders what a
// person reads. Every such piece of text goes through Line or Block where
// it is printed, by the command line and the TUI alike. JSON output does
// not: encoding/json escapes control characters itself and scripts need
// the exact values.
package safetext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Line returns s for one line of a terminal: line breaks and tabs become
// single spaces, other control characters and bidi controls are shown as
// Go-style escapes (\x1b, \u202e) so tampering is visible rather than
// hidden, and bytes that are not UTF-8 become U+FFFD. Text without any of
// these comes back unchanged.
func Line(s string) string {
	return clean(s, false)
}

// Block is Line for text that may span lines: "\n" (and "\r\n") are kept
// as line breaks, everything else is treated as Line treats it.
func Block(s string) string {
	return clean(s, true)
}

// Compact is Line for a message that must read as one line: every run of
// white space, line breaks included, becomes one space, and there is none
// at either end.
func Compact(s string) string {
	return strings.Join(strings.Fields(Line(s)), " ")
}

// IsClean reports whether s prints as itself: no control character, no
// bidi control, no invalid UTF-8. Line and Block return such strings
// unchanged.
func IsClean(s string) bool {
	// Most text is printable ASCII: one byte at a time until it is not
	// (listing 10 000 accounts spent 7% of its time here rune by rune).
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return isCleanRunes(s[i:])
		}
		if (c < 0x20 || c == 0x7f) && unsafeRune(rune(c)) {
			return false
		}
	}
	return true
}

// isCleanRunes is IsClean rune by rune.
func isCleanRunes(s string) bool {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return false
			}
		}
		if unsafeRune(r) {
			return false
		}
	}
	return true
}

func clean(s string, keepNewlines bool) string {
	if IsClean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	pendingSpace := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size <= 1 {
			flushSpace(&b, &pendingSpace)
			b.WriteRune(utf8.RuneError)
			continue
		}
		switch {
		case r == '\r' && keepNewlines && i < len(s) && s[i] == '\n':
			// The "\n" that follows is the break.
		case r == '\n' && keepNewlines:
			pendingSpace = false
			b.WriteByte('\n')
		case isBreak(r):
			// A run of breaks and tabs folds into one space.
			pendingSpace = true
		case unsafeRune(r):
			flushSpace(&b, &pendingSpace)
			b.WriteString(escape(r))
		default:
			flushSpace(&b, &pendingSpace)
			b.WriteRune(r)
		}
	}
	flushSpace(&b, &pendingSpace)
	return b.String()
}

func flushSpace(b *strings.Builder, pending *bool) {
	if *pending {
		b.WriteByte(' ')
		*pending = false
	}
}

// isBreak is true for characters that move to a new line or column on a
// terminal; in one line they read as a space.
func isBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\t', '\v', '\f', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// unsafeRune is true for what a terminal or a bidi-aware renderer treats
// as a command rather than a glyph.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true // C0, DEL, C1 (0x9b is CSI, 0x9d OSC on some terminals)
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true // embeddings, overrides and isolates
	case r == 0x200e, r == 0x200f, r == 0x061c:
		return true // directional marks
	case r == 0x2028, r == 0x2029:
		return true
	case r == 0xfeff:
		return true // a byte-order mark inside text hides nothing good
	}
	return false
}

func escape(r rune) string {
	if r < 0x100 {
		return fmt.Sprintf(`\x%02x`, r)
	}
	return fmt.Sprintf(`\u%04x`, r)
}
