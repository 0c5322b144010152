package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSettingsPrecedence: a flag beats its ACCTUI_* variable, which beats
// the config file, which beats the default.
func TestSettingsPrecedence(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "acctui", "config.toml")
	os.MkdirAll(filepath.Dir(config), 0o700)
	os.WriteFile(config, []byte("authority = \"https://login.microsoftonline.com/from-file\"\nclient_id = \"from-file\"\nvault_backend = \"pass\"\ntheme = \"dracula\"\n"), 0o600)
	env := map[string]string{"XDG_CONFIG_HOME": dir, "ACCTUI_CLIENT_ID": "from-env", "ACCTUI_VAULT_BACKEND": "keyctl"}
	a := newApp()
	a.getenv = func(k string) string { return env[k] }
	root := newRootCommand(a, nil)
	root.SetArgs([]string{"--vault-backend", "file", "version"})
	root.SetOut(&discard{})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][2]string{
		"authority (file)":  {a.s.Authority, "https://login.microsoftonline.com/from-file"},
		"client id (env)":   {a.s.ClientID, "from-env"},
		"backend (flag)":    {a.s.VaultBackend, "file"},
		"theme (file)":      {a.s.Theme, "dracula"},
		"ca file (default)": {a.s.CAFile, ""},
		"keyctl (default)":  {a.s.KeyctlCache, "8h"},
	} {
		if got[0] != got[1] {
			t.Errorf("%s = %q, want %q", name, got[0], got[1])
		}
	}
}

func TestConfigFileUnknownKeyIsAUsageError(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "acctui"), 0o700)
	os.WriteFile(filepath.Join(dir, "acctui", "config.toml"), []byte("authoritty = \"x\"\n"), 0o600)
	a := newApp()
	a.getenv = func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return dir
		}
		return ""
	}
	a.stderr = &discard{}
	root := newRootCommand(a, nil)
	root.SetArgs([]string{"version"})
	root.SetOut(&discard{})
	err := root.Execute()
	if msg, code := explain(err); code != exitUsage || !strings.Contains(msg, "unknown keys: authoritty") {
		t.Errorf("explain(%v) = %q, %d", err, msg, code)
	}
}

func TestConfigFileSyntaxErrorNamesTheLine(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "acctui"), 0o700)
	os.WriteFile(filepath.Join(dir, "acctui", "config.toml"), []byte("theme = \"dracula\"\nclient_id = \n"), 0o600)
	_, err := loadConfigFile(context.Background(), func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return dir
		}
		return ""
	})
	if msg, code := explain(err); code != exitUsage || !strings.Contains(msg, "config.toml:2:") {
		t.Errorf("explain(%v) = %q, %d", err, msg, code)
	}
}

type discard struct{}

func (*discard) Write(p []byte) (int, error) { return len(p), nil }
