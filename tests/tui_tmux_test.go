package tests

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// tmuxSession runs the built binary in a detached tmux session, as a person
// at a 100x30 terminal would, and reads the screen with capture-pane.
type tmuxSession struct {
	t    *testing.T
	name string
	sock string
}

func startTmux(t *testing.T, command string) *tmuxSession {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is missing: apt-get install -y tmux")
		}
		t.Skip("tmux is not installed (apt-get install -y tmux)")
	}
	home := t.TempDir()
	s := &tmuxSession{t: t, name: fmt.Sprintf("acctui-%d", time.Now().UnixNano()), sock: home + "/tmux.sock"}
	// A private socket and a scrubbed environment: the UI must not see the
	// developer's vault or config.
	shell := fmt.Sprintf("env -i HOME=%q XDG_CONFIG_HOME=%q XDG_DATA_HOME=%q TERM=xterm-256color PATH=%q %s",
		home, home+"/config", home+"/data", os.Getenv("PATH"), command)
	s.run("-f", "/dev/null", "new-session", "-d", "-s", s.name, "-x", "100", "-y", "30", shell)
	t.Cleanup(func() { exec.Command("tmux", "-S", s.sock, "kill-server").Run() })
	return s
}

func (s *tmuxSession) run(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-S", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v: %s", args, err, out)
	}
	return string(out)
}

func (s *tmuxSession) screen() string { return s.run("capture-pane", "-p", "-t", s.name) }

// keys sends tmux key names (Enter, Tab, j…); text sends literal text.
func (s *tmuxSession) keys(keys ...string) {
	s.run(append([]string{"send-keys", "-t", s.name}, keys...)...)
}
func (s *tmuxSession) text(text string) { s.run("send-keys", "-t", s.name, "-l", text) }

// waitFor polls the screen until ok holds, for up to 15 s.
func (s *tmuxSession) waitFor(what string, ok func(screen string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		screen := s.screen()
		if ok(screen) {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("waited 15 s for %s; the screen shows:\n%s", what, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *tmuxSession) waitForText(text string) string {
	s.t.Helper()
	return s.waitFor(fmt.Sprintf("%q", text), func(screen string) bool { return strings.Contains(screen, text) })
}

// rowOf returns the list line naming an account.
func rowOf(screen, name string) string {
	for _, line := range strings.Split(screen, "\n") {
		if strings.Contains(line, name) {
			return line
		}
	}
	return ""
}

// startDemo runs acctui --demo in its own tmux session (its own emulator
// and throw-away vault) and waits for the demo's three accounts, alice
// selected: each subtest starts from there, whatever ran before it.
func startDemo(t *testing.T) (*tmuxSession, string) {
	t.Helper()
	s := startTmux(t, acctuiBinary(t)+" --demo")
	return s, s.waitForText("3 accounts")
}

// quit leaves the list with q and waits for the program to end.
func (s *tmuxSession) quit() {
	s.t.Helper()
	s.keys("q")
	s.waitGone()
}

func TestTUIDemoInTmux(t *testing.T) {
	t.Run("the list shows the demo accounts and their states", func(t *testing.T) {
		s, screen := startDemo(t)
		for _, name := range []string{"Alice Example", "Carol Example", "Dave Example"} {
			if rowOf(screen, name) == "" {
				t.Fatalf("the list lacks %s:\n%s", name, screen)
			}
		}
		if row := rowOf(screen, "Alice Example"); !strings.Contains(row, "✓ valid") {
			t.Errorf("alice's badge: %q", row)
		}
		if row := rowOf(screen, "Carol Example"); !strings.Contains(row, "refreshable") {
			t.Errorf("carol starts with an expired access token: %q", row)
		}
		s.quit()
	})
	t.Run("refreshing carol turns her badge valid", func(t *testing.T) {
		s, _ := startDemo(t)
		s.keys("j", "r")
		s.waitFor("carol's badge to turn valid", func(screen string) bool {
			return strings.Contains(rowOf(screen, "Carol Example"), "✓ valid")
		})
		s.quit()
	})
	t.Run("removing alice after confirmation", func(t *testing.T) {
		s, _ := startDemo(t)
		s.keys("d")
		// The dialog's own words: the list already shows alice's username
		// and "d remove" in its key bar, so a looser check passed before d
		// had been read, and a build that dropped keys typed while the
		// dialog opened lost the y only when the machine was slow.
		s.waitFor("the confirmation", func(screen string) bool {
			return strings.Contains(screen, "Remove this account?") && strings.Contains(screen, "alice@contoso.example")
		})
		s.keys("y")
		screen := s.waitForText("2 accounts")
		if rowOf(screen, "Alice Example") != "" {
			t.Errorf("alice is still listed:\n%s", screen)
		}
		s.quit()
	})
	t.Run("adding bob by username and password shows the MFA message", func(t *testing.T) {
		s, _ := startDemo(t)
		s.keys("a")
		s.waitForText("Username and password")
		s.keys("j", "j", "Enter")
		s.waitForText("Password:")
		s.text("bob@contoso.example")
		s.keys("Tab")
		s.text("demo-bob")
		s.keys("Enter")
		screen := s.waitForText("AADSTS50076")
		if !strings.Contains(screen, "browser or device code") {
			t.Errorf("the MFA error does not say what to do next:\n%s", screen)
		}
		if strings.Contains(screen, "demo-bob") {
			t.Errorf("the password is on the screen:\n%s", screen)
		}
		// Escape and q apart: together they read as alt+q. Bob was not
		// added: the list still holds the three.
		s.keys("Escape")
		s.waitForText("3 accounts")
		s.quit()
	})
}
