package safetext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Alice Contoso <alice@contoso.example>", "Alice Contoso <alice@contoso.example>"},
		{"unicode", "Zoë Ünal 李雷 🙂", "Zoë Ünal 李雷 🙂"},
		{"osc52", "x\x1b]52;c;ZXZpbA==\x07y", `x\x1b]52;c;ZXZpbA==\x07y`},
		{"osc8 link", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", `\x1b]8;;https://evil.example\x1b\click\x1b]8;;\x1b\`},
		{"csi clear", "\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
		{"c1 csi", "a\u009b31mb", `a\x9b31mb`},
		{"bidi override", "invoice\u202egnp.exe", `invoice\u202egnp.exe`},
		{"isolate", "a\u2066b\u2069", `a\u2066b\u2069`},
		{"newlines fold", "line one\r\n\r\nline two\tend", "line one line two end"},
		{"trailing newline", "x\n", "x "},
		{"invalid utf8", "a\xffb", "a\ufffdb"},
		{"nul", "a\x00b", `a\x00b`},
		{"line separator", "a\u2028b", "a b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Line(c.in); got != c.want {
				t.Fatalf("Line(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestBlock(t *testing.T) {
	got := Block("first\r\nsecond\n\x1b[31mred\x1b[0m\tand tab")
	want := "first\nsecond\n\\x1b[31mred\\x1b[0m and tab"
	if got != want {
		t.Fatalf("Block = %q, want %q", got, want)
	}
}

// FuzzLine holds the two promises: nothing a terminal reads as a command
// survives, and text that had none comes back unchanged.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b]52;c;eA==\x07", "\u202e", "a\r\nb", "\xff\xfe", "\u009b2J", "tab\there"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if IsClean(s) != isCleanRunes(s) {
			t.Fatalf("IsClean(%q) = %v, rune by rune %v", s, IsClean(s), isCleanRunes(s))
		}
		for _, out := range []string{Line(s), Block(s)} {
			if !utf8.ValidString(out) {
				t.Fatalf("output not UTF-8: %q", out)
			}
			for _, r := range out {
				if r == '\n' && out != Line(s) {
					continue // Block keeps line breaks
				}
				if unicode.IsControl(r) || unsafeRune(r) {
					t.Fatalf("control %U survived in %q (input %q)", r, out, s)
				}
			}
		}
		if strings.ContainsRune(Line(s), '\n') {
			t.Fatalf("Line kept a newline: %q", Line(s))
		}
		if IsClean(s) {
			if Line(s) != s || Block(s) != s {
				t.Fatalf("clean text changed: %q -> %q / %q", s, Line(s), Block(s))
			}
		}
		if !IsClean(Line(s)) {
			t.Fatalf("Line output not clean: %q", Line(s))
		}
	})
}

func TestCompact(t *testing.T) {
	for in, want := range map[string]string{
		"  a \n\t b\r\n c  ": "a b c",
		"plain":              "plain",
		"esc\x1b[2J here":    `esc\x1b[2J here`,
		"\u202e  rtl":        `\u202e rtl`,
		"":                   "",
	} {
		if got := Compact(in); got != want {
			t.Errorf("Compact(%q) = %q, want %q", in, got, want)
		}
	}
}
