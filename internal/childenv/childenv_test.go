package childenv

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestScrubbed(t *testing.T) {
	in := []string{
		"PATH=/usr/bin", "HOME=/home/a", "DISPLAY=:0", "TMUX=/tmp/tmux-0/default,1,0",
		"XDG_RUNTIME_DIR=/run/user/0", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/bus",
		"ACCTUI_VAULT_PASSPHRASE=hunter22", "acctui_debug=/tmp/log", "AZURE_CLIENT_SECRET=s",
		"GITHUB_TOKEN=t", "MY_API_KEY=k", "AZURE_DEVOPS_EXT_PAT=p", "SSH_AUTH_SOCK=/tmp/agent",
	}
	got := Scrubbed(in)
	want := []string{"PATH=/usr/bin", "HOME=/home/a", "DISPLAY=:0", "TMUX=/tmp/tmux-0/default,1,0",
		"XDG_RUNTIME_DIR=/run/user/0", "DBUS_SESSION_BUS_ADDRESS=unix:path=/run/bus", "SSH_AUTH_SOCK=/tmp/agent"}
	if !slices.Equal(got, want) {
		t.Fatalf("Scrubbed =\n%q\nwant\n%q", got, want)
	}
}

// TestCommandEnvironment starts a real child and reads what it was given.
func TestCommandEnvironment(t *testing.T) {
	if _, err := exec.LookPath("env"); err != nil {
		t.Skip("no env program")
	}
	t.Setenv("ACCTUI_VAULT_PASSPHRASE", "correct horse")
	t.Setenv("ACCTUI_TEST_VISIBLE_MARK", "x")
	t.Setenv("PLAIN_MARK", "kept")
	out, err := Command("env").Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "correct horse") || strings.Contains(string(out), "ACCTUI_") {
		t.Fatalf("child saw acctui's variables:\n%s", out)
	}
	if !strings.Contains(string(out), "PLAIN_MARK=kept") {
		t.Fatalf("child lost an ordinary variable:\n%s", out)
	}
}
