//go:build linux

package tests

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// busCounter stands for a session bus: it counts the connections it is
// offered and closes each, so a client's D-Bus handshake fails at once.
// A client blocks in that handshake until its connection is closed, so
// when the client process has exited, every connection it made is
// counted.
type busCounter struct {
	addr string
	n    atomic.Int32
}

func newBusCounter(t *testing.T) *busCounter {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "bus")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	b := &busCounter{addr: "unix:path=" + sock}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			b.n.Add(1)
			c.Close()
		}
	}()
	return b
}

// take returns the connections counted since the last take.
func (b *busCounter) take() int32 { return b.n.Swap(0) }

// TestTokenLeavesTheSessionBusAlone: the keyring library connects to the
// session bus in its init, to see whether it may offer the Secret Service;
// `acctui token`, which answers from the vault with a key it does not get
// from a D-Bus keyring, defers that (about a millisecond of a three
// millisecond run). Other commands still probe, which shows the counter
// sees the library's connection.
func TestTokenLeavesTheSessionBusAlone(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	s := newCLISuite(t, e)
	c := s.newEnv(t, "bus")
	bus := newBusCounter(t)
	c.vars["DBUS_SESSION_BUS_ADDRESS"] = bus.addr
	c.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
	if n := bus.take(); n == 0 {
		t.Fatal("login did not probe the bus: the counter does not see the keyring library")
	}
	c.plainToken(t)
	c.run(t, nil, "token", "-o", "json").want(t, 0)
	if n := bus.take(); n != 0 {
		t.Errorf("acctui token connected to the session bus %d times", n)
	}
	c.run(t, nil, "accounts").want(t, 0)
	if n := bus.take(); n == 0 {
		t.Error("acctui accounts did not probe the bus")
	}
	// A global flag before the command: recognised only as the first
	// argument, so this run probes as before and still works.
	c.run(t, nil, "--keyctl-cache", "0", "token").want(t, 0)
	if n := bus.take(); n == 0 {
		t.Error("with a flag before it, token did not probe the bus")
	}
}

// TestTokenRunsAgainForADBusKeyring: with the vault's key in the Secret
// Service (GNOME Keyring on a D-Bus session bus of its own) and no kernel
// key cache, acctui token finds it cannot open that keyring without the
// probe it deferred, and runs again with it: the token is printed, the
// debug log says so, and nothing is printed twice.
func TestTokenRunsAgainForADBusKeyring(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (apt-get install -y dbus gnome-keyring)", tool)
		}
	}
	e := startEmulator(t)
	s := newCLISuite(t, e)
	c := s.newEnv(t, "secretservice")
	run := filepath.Join(c.home, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	c.vars["XDG_RUNTIME_DIR"] = run
	c.vars["ACCTUI_VAULT_BACKEND"] = "secret-service"
	// Each step is a session of its own: a bus and a keyring daemon that
	// unlocks the login collection, whose files stay in HOME.
	session := []string{"dbus-run-session", "--", "sh", "-c",
		`echo -n "gnome-keyring-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 97
exec "$@"`, "sh"}
	password := alicePassword + "\n"
	c.runVia(t, cliTimeout, &password, session, "login", "--method", "password", "--username", aliceUsername, "--password-stdin").want(t, 0)
	res := c.runVia(t, cliTimeout, nil, session, "token").want(t, 0)
	// (dbus-daemon itself may complain on stderr about its fd limit)
	if strings.Count(res.stdout, "\n") != 1 || len(res.stdout) < 100 || strings.Contains(res.stderr, "acctui") {
		t.Fatalf("token printed %d lines; stderr: %s", strings.Count(res.stdout, "\n"), res.stderr)
	}
	s.remember(strings.TrimSpace(res.stdout), "access token read through the Secret Service")
	log, err := os.ReadFile(c.vars["ACCTUI_DEBUG"])
	if err != nil || !strings.Contains(string(log), "running again with the bus probed") {
		t.Errorf("the debug log does not show the second run (%v)", err)
	}
}
