package main

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSaveThemeSetting(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ before, want string }{
		{"", "theme = \"dracula\"\n"},
		{"clipboard = \"osc52\"\n", "theme = \"dracula\"\nclipboard = \"osc52\"\n"},
		{"# mine\ntheme = \"default\" # kept comment goes\nclipboard_clear = \"10s\"\n", "# mine\ntheme = \"dracula\"\nclipboard_clear = \"10s\"\n"},
		{"[other]\ntheme = \"x\"\n", "theme = \"dracula\"\n[other]\ntheme = \"x\"\n"},
	}
	for i, tt := range tests {
		path := filepath.Join(dir, "acctui", "config.toml")
		os.Remove(path)
		if tt.before != "" {
			os.MkdirAll(filepath.Dir(path), 0o700)
			os.WriteFile(path, []byte(tt.before), 0o600)
		}
		if err := saveThemeSetting(path, "dracula"); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if string(got) != tt.want {
			t.Errorf("%d: config became %q, want %q", i, got, tt.want)
		}
	}
}
