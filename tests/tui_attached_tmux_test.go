package tests

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// attachedClient is a tmux client attached to a session through script(1),
// as a person's terminal would be: tmux then talks to a real outer terminal
// (TERM=xterm-256color) and sends it what an application asks for (OSC 52
// clipboard writes). Its input is held open so the client stays attached.
type attachedClient struct {
	mu  sync.Mutex
	out bytes.Buffer
	in  io.WriteCloser
	cmd *exec.Cmd
}

func (c *attachedClient) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.Write(p)
}

func (c *attachedClient) output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.out.String()
}

// attach attaches a client to the session with tmux's default options.
func (s *tmuxSession) attach() *attachedClient {
	s.t.Helper()
	if _, err := exec.LookPath("script"); err != nil {
		s.t.Skip("script(1) is not installed (apt-get install -y bsdutils)")
	}
	c := &attachedClient{}
	c.cmd = exec.Command("script", "-qfc", "tmux -S "+shellQuote(s.sock)+" attach -t "+shellQuote(s.name), "/dev/null")
	c.cmd.Env = []string{"TERM=xterm-256color", "PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Dir(s.sock)}
	c.cmd.Stdout, c.cmd.Stderr = c, c
	in, err := c.cmd.StdinPipe()
	if err != nil {
		s.t.Fatal(err)
	}
	c.in = in
	if err := c.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() {
		c.in.Close()
		c.cmd.Process.Kill()
		c.cmd.Wait()
	})
	s.waitFor("the client to attach", func(string) bool {
		return strings.TrimSpace(s.run("list-clients", "-t", s.name)) != ""
	})
	return c
}

// osc52 is an OSC 52 clipboard write as a terminal receives it.
var osc52 = regexp.MustCompile(`\x1b\]52;[a-z]*;([A-Za-z0-9+/=]*)(?:\x07|\x1b\\)`)

// clipboardWrites decodes the OSC 52 writes the client received.
func (c *attachedClient) clipboardWrites() []string {
	var got []string
	for _, m := range osc52.FindAllStringSubmatch(c.output(), -1) {
		b, err := base64.StdEncoding.DecodeString(m[1])
		if err == nil {
			got = append(got, string(b))
		}
	}
	return got
}

// waitGone polls until the session ended (the program quit).
func (s *tmuxSession) waitGone() {
	s.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for exec.Command("tmux", "-S", s.sock, "has-session", "-t", s.name).Run() == nil {
		if time.Now().After(deadline) {
			s.t.Fatalf("the program did not quit; the screen shows:\n%s", s.screen())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestTUIUnlocksExistingFileVault: acctui on an existing file-backend vault
// with no passphrase in the environment and no cached key opens on the
// unlock screen, says plainly that a wrong passphrase is wrong, and opens the
// list with the right one.
func TestTUIUnlocksExistingFileVault(t *testing.T) {
	vaultDir := filepath.Join(t.TempDir(), "vault")
	copyDir(t, filepath.Join("..", "vault", "testdata", "format1"), vaultDir)
	s := startTmux(t, acctuiBinary(t)+" --vault-dir "+vaultDir+" --vault-backend file --keyctl-cache 0")
	s.attach()
	s.waitForText("The vault is locked")
	s.text("not the passphrase")
	s.keys("Enter")
	screen := s.waitForText("wrong passphrase")
	if strings.Contains(screen, "not the passphrase") {
		t.Fatalf("the typed passphrase is on the screen:\n%s", screen)
	}
	s.text("v1 fixture passphrase")
	s.keys("Enter")
	screen = s.waitForText("3 accounts")
	if rowOf(screen, "Alice Example") == "" {
		t.Fatalf("the unlocked list lacks alice:\n%s", screen)
	}
	s.keys("q")
	s.waitGone()
}

// writeConfig writes config.toml under the XDG_CONFIG_HOME startTmux sets.
func writeConfig(t *testing.T, s *tmuxSession, toml string) {
	t.Helper()
	dir := filepath.Join(filepath.Dir(s.sock), "config", "acctui")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
}

// tmuxBuffers lists the session's paste buffers' contents.
func (s *tmuxSession) tmuxBuffers() []string {
	out, err := exec.Command("tmux", "-S", s.sock, "list-buffers", "-F", "#{buffer_name}").Output()
	if err != nil {
		return nil
	}
	var got []string
	for _, name := range strings.Fields(string(out)) {
		b, err := exec.Command("tmux", "-S", s.sock, "save-buffer", "-b", name, "-").Output()
		if err == nil {
			got = append(got, string(b))
		}
	}
	return got
}

// TestTUICopyUnderDefaultTmuxReachesTheTerminal: with tmux's default
// options (set-clipboard external, allow-passthrough off) a copy lands in
// tmux's buffer and reaches the attached terminal as an OSC 52 write that
// carries the token, and the status says so.
func TestTUICopyUnderDefaultTmuxReachesTheTerminal(t *testing.T) {
	s := startTmuxConfigured(t, acctuiBinary(t)+" --demo", `clipboard_clear = "1h"`)
	client := s.attach()
	s.waitForText("3 accounts")
	s.keys("c")
	screen := s.waitForText("copied the access token to the tmux buffer and the terminal clipboard")
	if !strings.Contains(screen, "also after acctui quits") {
		t.Errorf("the status does not promise the clearing after quit:\n%s", screen)
	}
	buffers := s.tmuxBuffers()
	if len(buffers) != 1 || strings.Count(buffers[0], ".") != 2 {
		t.Fatalf("tmux buffers = %q, want one JWT", buffers)
	}
	token := buffers[0]
	s.waitFor("the OSC 52 write at the terminal", func(string) bool {
		for _, w := range client.clipboardWrites() {
			if w == token {
				return true
			}
		}
		return false
	})
}

// TestTUIClipboardClearedAfterQuit: a copy is cleared on schedule by the
// detached clearer although the TUI quit right after copying.
func TestTUIClipboardClearedAfterQuit(t *testing.T) {
	s := startTmuxConfigured(t, acctuiBinary(t)+" --demo; echo QUIT; sleep 600", `clipboard_clear = "5s"`)
	s.waitForText("3 accounts")
	s.keys("c")
	s.waitFor("the copy in tmux's buffer", func(string) bool { return len(s.tmuxBuffers()) == 1 })
	s.keys("q")
	s.waitForText("QUIT")
	if len(s.tmuxBuffers()) != 1 {
		t.Fatal("the buffer was cleared before the TUI quit, so this run cannot tell the detached clearer did it")
	}
	s.waitFor("the detached clearer to delete the buffer", func(string) bool { return len(s.tmuxBuffers()) == 0 })
}

// startTmuxConfigured is startTmux with a config.toml in place before the
// program starts, and the pane's TMUX variable, which startTmux's clean
// environment would otherwise drop: acctui knows it runs in tmux, as it does
// for a person.
func startTmuxConfigured(t *testing.T, command, toml string) *tmuxSession {
	t.Helper()
	gate := filepath.Join(t.TempDir(), "go")
	s := startTmux(t, `TMUX="$TMUX" sh -c `+shellQuote("while [ ! -e "+gate+" ]; do sleep 0.05; done; "+command))
	writeConfig(t, s, toml)
	if err := os.WriteFile(gate, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTUIBurstOfKeys: keys sent in one burst (one send-keys call, no delay)
// reach the screens they were meant for.
func TestTUIBurstOfKeys(t *testing.T) {
	s := startTmux(t, acctuiBinary(t)+" --demo")
	s.waitForText("3 accounts")
	s.keys("d", "y")
	screen := s.waitForText("2 accounts")
	if rowOf(screen, "Alice Example") != "" {
		t.Fatalf("alice is still listed after d y:\n%s", screen)
	}
	s.keys("a", "j", "j", "Enter")
	s.waitForText("Password:")
}

// TestTUIListFollowsOtherProcesses: the list is live. Its badges count down
// with no key pressed, and an account that another process (the command
// line) signs out leaves the list within a few seconds.
func TestTUIListFollowsOtherProcesses(t *testing.T) {
	e := startEmulator(t)
	c := newCLISuite(t, e).newEnv(t, "live")
	c.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
	c.loginPassword(t, carolUsername, "demo-carol").want(t, 0)
	vars := make([]string, 0, len(c.environ()))
	for _, kv := range c.environ() {
		vars = append(vars, shellQuote(kv))
	}
	s := startTmux(t, "env "+strings.Join(vars, " ")+" "+acctuiBinary(t))
	screen := s.waitForText("2 accounts")
	before := rowOf(screen, "Carol Example")
	if !strings.Contains(before, "valid") {
		t.Fatalf("carol's row has no countdown: %q", before)
	}
	s.waitFor("carol's badge to count down without a key press", func(screen string) bool {
		row := rowOf(screen, "Carol Example")
		return row != "" && row != before
	})
	c.run(t, nil, "logout", "--yes", aliceUsername).want(t, 0)
	screen = s.waitFor("alice to leave the list", func(screen string) bool {
		return strings.Contains(screen, "1 account") && rowOf(screen, "Alice Example") == ""
	})
	if rowOf(screen, "Carol Example") == "" {
		t.Fatalf("carol left the list too:\n%s", screen)
	}
}

// TestTUIActiveAccountFollowsUse: the active account is the one shared
// with the command line. acctui use run in another terminal moves the
// list's mark, and u in the list makes the selected account the one acctui
// use prints.
func TestTUIActiveAccountFollowsUse(t *testing.T) {
	e := startEmulator(t)
	c := newCLISuite(t, e).newEnv(t, "active")
	c.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
	c.loginPassword(t, carolUsername, "demo-carol").want(t, 0)
	c.run(t, nil, "use", aliceUsername).want(t, 0)
	vars := make([]string, 0, len(c.environ()))
	for _, kv := range c.environ() {
		vars = append(vars, shellQuote(kv))
	}
	s := startTmux(t, "env "+strings.Join(vars, " ")+" "+acctuiBinary(t))
	s.waitFor("alice marked active", func(screen string) bool {
		return strings.Contains(rowOf(screen, "Alice Example"), "(active)")
	})

	c.run(t, nil, "use", carolUsername).want(t, 0)
	screen := s.waitFor("the mark to move to carol", func(screen string) bool {
		return strings.Contains(rowOf(screen, "Carol Example"), "(active)")
	})
	if strings.Contains(rowOf(screen, "Alice Example"), "(active)") {
		t.Fatalf("alice is still marked too:\n%s", screen)
	}

	// The list is sorted by name: alice is the first row.
	s.keys("g", "u")
	s.waitForText("alice@contoso.example is the active account now (as with acctui use)")
	res := c.run(t, nil, "use").want(t, 0)
	if !strings.HasPrefix(res.stdout, aliceUsername+"\t") {
		t.Fatalf("acctui use prints %q after u on alice, want %s", res.stdout, aliceUsername)
	}
	screen = s.screen()
	if !strings.Contains(rowOf(screen, "Alice Example"), "(active)") || strings.Contains(rowOf(screen, "Carol Example"), "(active)") {
		t.Fatalf("the mark is not on alice alone:\n%s", screen)
	}
}

// TestTUINewVaultPassphraseRule: a new file vault's passphrase, chosen
// before the UI starts, follows the one rule: 8 characters or more, typed
// twice the same.
func TestTUINewVaultPassphraseRule(t *testing.T) {
	vaultDir := filepath.Join(t.TempDir(), "vault")
	s := startTmux(t, acctuiBinary(t)+" --vault-dir "+vaultDir+" --vault-backend file --keyctl-cache 0")
	s.waitForText("New vault passphrase")
	s.text("short")
	s.keys("Enter")
	s.waitForText("at least 8 characters")
	s.text("long enough one")
	s.keys("Enter")
	s.waitForText("Type it again")
	s.text("long enough two")
	s.keys("Enter")
	s.waitForText("differ; try again")
	s.text("long enough one")
	s.keys("Enter")
	s.waitFor("the second prompt", func(screen string) bool { return strings.Count(screen, "Type it again") == 2 })
	s.text("long enough one")
	s.keys("Enter")
	s.waitForText("No accounts yet")
}

// TestTUIUnlockCachesKeyInKernel: the passphrase typed on the unlock screen
// leaves the vault's key in the kernel keyring, as the command line does, so
// a script run afterwards needs no passphrase.
func TestTUIUnlockCachesKeyInKernel(t *testing.T) {
	e := startEmulator(t)
	c := newCLISuite(t, e).newEnv(t, "tui-keyctl")
	c.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
	var st struct {
		KeyID string `json:"key_id"`
	}
	if err := json.Unmarshal([]byte(c.run(t, nil, "vault", "status", "--json").want(t, 0).stdout), &st); err != nil || st.KeyID == "" {
		t.Fatalf("vault status --json: %v, key id %q", err, st.KeyID)
	}
	name := "acctui:vault-key-" + st.KeyID
	t.Cleanup(func() { forgetKernelKey(name) })
	locked := c.with("ACCTUI_VAULT_PASSPHRASE", "", "ACCTUI_KEYCTL_CACHE", "1m")
	var vars []string
	for _, kv := range locked.environ() {
		vars = append(vars, shellQuote(kv))
	}
	s := startTmux(t, "env "+strings.Join(vars, " ")+" "+acctuiBinary(t))
	s.waitForText("The vault is locked")
	s.text(cliPassphrase)
	s.keys("Enter")
	s.waitForText("1 account")
	s.keys("q")
	s.waitGone()
	res := locked.run(t, nil, "accounts")
	if res.code != 0 {
		// Is it the TUI, or a kernel keyring this machine does not offer?
		c.with("ACCTUI_KEYCTL_CACHE", "1m").run(t, nil, "vault", "status").want(t, 0)
		if err := findKernelKey(name); err != nil {
			t.Skipf("the kernel keyring is not usable here (%v)", err)
		}
		t.Fatalf("the command line caches the key, the TUI's unlock did not; got %s", res)
	}
	if !strings.Contains(res.stdout, aliceUsername) {
		t.Fatalf("accounts after the TUI's unlock:\n%s", res)
	}
}
