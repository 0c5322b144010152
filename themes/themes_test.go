package themes

import (
	"regexp"
	"slices"
	"testing"
)

var sgrColour = regexp.MustCompile(`\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9;]*)?m`)

func TestBuiltins(t *testing.T) {
	names := Names()
	for _, want := range []string{"default", "high-contrast", "catppuccin", "dracula"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() = %v lacks %q", names, want)
		}
	}
	for _, name := range names {
		for _, dark := range []bool{true, false} {
			th, ok := GetFor(name, dark)
			if !ok {
				t.Fatalf("GetFor(%q, %v) not found", name, dark)
			}
			if th.Name != name || th.NoColor {
				t.Errorf("GetFor(%q) = %+v", name, th)
			}
			slots := map[string]any{"Primary": th.Primary, "Muted": th.Muted, "Accent": th.Accent, "Success": th.Success,
				"Warn": th.Warn, "Danger": th.Danger, "SelectedBg": th.SelectedBg, "Border": th.Border}
			for slot, c := range slots {
				if c == nil {
					t.Errorf("%s (dark %v): slot %s is empty", name, dark, slot)
				}
			}
			s := NewStyles(th)
			if !sgrColour.MatchString(s.BadgeValid.Render("✓ valid")) {
				t.Errorf("%s: a valid badge has no colour", name)
			}
		}
	}
	if !Adaptive("default") || Adaptive("dracula") {
		t.Error("Adaptive: default adapts to the background, dracula does not")
	}
}

func TestGet(t *testing.T) {
	tests := []struct {
		name   string
		wantOK bool
		want   string
	}{
		{"default", true, "default"},
		{"Dracula", true, "dracula"},
		{" catppuccin ", true, "catppuccin"},
		{"plain", true, "plain"},
		{"solarized", false, ""},
	}
	for _, tt := range tests {
		th, ok := Get(tt.name)
		if ok != tt.wantOK || th.Name != tt.want {
			t.Errorf("Get(%q) = %q, %v; want %q, %v", tt.name, th.Name, ok, tt.want, tt.wantOK)
		}
	}
}

func TestResolveAndNoColor(t *testing.T) {
	tests := []struct {
		name    string
		theme   string
		noColor bool
		want    string
	}{
		{"named", "dracula", false, "dracula"},
		{"unknown falls back", "nope", false, DefaultName},
		{"NO_COLOR wins", "dracula", true, PlainName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Resolve(tt.theme, tt.noColor, true).Name; got != tt.want {
				t.Fatalf("Resolve = %q, want %q", got, tt.want)
			}
		})
	}
	for _, v := range []struct {
		value string
		want  bool
	}{{"", false}, {"1", true}, {"0", true}, {"yes", true}} {
		got := NoColorRequested(func(string) string { return v.value })
		if got != v.want {
			t.Errorf("NO_COLOR=%q: NoColorRequested = %v, want %v", v.value, got, v.want)
		}
	}
}

func TestPlainStylesHaveNoColour(t *testing.T) {
	s := NewStyles(Plain())
	for name, out := range map[string]string{
		"title": s.Title.Render("x"), "valid": s.BadgeValid.Render("x"), "expired": s.BadgeSignIn.Render("x"),
		"selected": s.RowSelected.Render("x"), "error": s.StatusError.Render("x"), "frame": s.Frame.Render("x"),
		"help": s.HelpKey.Render("x"), "link": s.Link.Render("x"),
	} {
		if sgrColour.MatchString(out) {
			t.Errorf("plain %s style has a colour: %q", name, out)
		}
	}
	if s.Cursor != nil {
		t.Error("plain theme sets a cursor colour")
	}
}

// TestThemesThatSetTextSetBackground: a theme's text colour is readable only
// on the background it was designed for, so it brings that background.
func TestThemesThatSetTextSetBackground(t *testing.T) {
	for _, name := range Names() {
		for _, dark := range []bool{false, true} {
			th, _ := GetFor(name, dark)
			if th.Text != nil && th.Background == nil {
				t.Errorf("%s (dark %v) sets a text colour but no background", name, dark)
			}
		}
	}
	if _, ok := Get("light"); !ok {
		t.Error("no light theme")
	}
}
