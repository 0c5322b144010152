package vault_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/vault"
)

// exerciseBackend writes a vault through opts, opens it again with a new
// Vault and checks what it holds; it returns the key id.
func exerciseBackend(t *testing.T, opts vault.Options) string {
	t.Helper()
	ctx := context.Background()
	v := open(t, opts)
	fill(t, v, 0, 3, 50)
	w := open(t, opts)
	if got := usernames(t, w); len(got) != 3 {
		t.Fatalf("reopened vault holds %v", got)
	}
	fill(t, w, 3, 4, 50)
	st, err := w.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Backend != opts.Backend && opts.Backend != vault.BackendAuto || st.Accounts != 4 {
		t.Errorf("Status = %+v", st)
	}
	return st.KeyID
}

// requireTools skips the test when a program it needs is missing. CI
// installs them (testdata/apt-packages.txt), so there every test runs.
func requireTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (Debian packages: see vault/testdata/apt-packages.txt)", tool)
		}
	}
}

func TestBackendFile(t *testing.T) {
	opts := fileOptions(t)
	id := exerciseBackend(t, opts)
	item := filepath.Join(opts.Dir, "keyring", "vault-key-"+id)
	info, err := os.Stat(item)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("keyring item mode %v", info.Mode().Perm())
	}
}

func TestBackendKeyctl(t *testing.T) {
	requireTools(t, "keyctl")
	opts := fileOptions(t)
	opts.Backend = vault.BackendKeyctl
	opts.ServiceName = fmt.Sprintf("acctui-test-%d", os.Getpid())
	t.Cleanup(func() {
		// The keyctl backend keeps a keyring named after the service in
		// the user keyring; remove it with everything in it.
		out, err := exec.Command("keyctl", "search", "@u", "keyring", opts.ServiceName).Output()
		if err == nil {
			exec.Command("keyctl", "unlink", strings.TrimSpace(string(out)), "@u").Run()
		}
	})
	if err := exec.Command("keyctl", "show", "@u").Run(); err != nil {
		t.Skipf("the kernel keyring is not usable here: %v", err)
	}
	id := exerciseBackend(t, opts)
	if err := exec.Command("keyctl", "search", "@u", "user", "vault-key-"+id).Run(); err != nil {
		t.Errorf("the key is not in the kernel keyring: %v", err)
	}
}

func TestBackendPass(t *testing.T) {
	requireTools(t, "pass", "gpg", "gpgconf")
	home := t.TempDir()
	gnupg := filepath.Join(home, "gnupg")
	store := filepath.Join(home, "store")
	if err := os.Mkdir(gnupg, 0o700); err != nil {
		t.Fatal(err)
	}
	// pass and gpg are run by the keyring library with this process's
	// environment.
	t.Setenv("GNUPGHOME", gnupg)
	t.Setenv("PASSWORD_STORE_DIR", store)
	t.Cleanup(func() { exec.Command("gpgconf", "--kill", "all").Run() })
	run := func(name string, args ...string) string {
		t.Helper()
		out, err := exec.Command(name, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
		return string(out)
	}
	run("gpg", "--batch", "--passphrase", "", "--quick-gen-key", "acctui vault test <vault-test@example.invalid>", "default", "default", "never")
	fpr := ""
	for _, line := range strings.Split(run("gpg", "--batch", "--with-colons", "--list-keys"), "\n") {
		if f := strings.Split(line, ":"); f[0] == "fpr" && len(f) > 9 {
			fpr = f[9]
			break
		}
	}
	if fpr == "" {
		t.Fatal("no fingerprint for the generated key")
	}
	run("pass", "init", fpr)

	opts := fileOptions(t)
	opts.Backend = vault.BackendPass
	opts.PassDir = store
	id := exerciseBackend(t, opts)
	if _, err := os.Stat(filepath.Join(store, "acctui", "vault-key-"+id+".gpg")); err != nil {
		t.Errorf("no pass entry: %v", err)
	}
}

// inDBusEnv marks the test binary re-executed inside dbus-run-session.
const inDBusEnv = "VAULT_TEST_IN_DBUS"

func TestBackendSecretService(t *testing.T) {
	if os.Getenv(inDBusEnv) == "" {
		requireTools(t, "dbus-run-session", "gnome-keyring-daemon")
		// Run this test again in a D-Bus session of its own with an
		// unlocked GNOME Keyring whose files live in a temporary home.
		home := t.TempDir()
		run := filepath.Join(home, "run")
		os.Mkdir(run, 0o700)
		script := `echo -n "$VAULT_TEST_KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null || exit 1
exec "$0" -test.run '^TestBackendSecretService$' -test.v -test.count=1`
		cmd := exec.Command("dbus-run-session", "--", "sh", "-c", script, os.Args[0])
		cmd.Env = append(os.Environ(), inDBusEnv+"=1", "HOME="+home, "XDG_DATA_HOME="+filepath.Join(home, "data"),
			"XDG_RUNTIME_DIR="+run, "VAULT_TEST_KEYRING_PASSWORD=keyring-test")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestBackendSecretService") || strings.Contains(string(out), "SKIP") {
			t.Fatalf("inside dbus-run-session: %v\n%s", err, out)
		}
		t.Logf("inside dbus-run-session:\n%s", out)
		return
	}
	opts := fileOptions(t)
	opts.Backend = vault.BackendSecretService
	opts.Getenv = os.Getenv
	t.Run("secret-service", func(t *testing.T) { exerciseBackend(t, opts) })
	t.Run("auto picks secret-service", func(t *testing.T) {
		opts := fileOptions(t)
		opts.Backend = vault.BackendAuto
		opts.Getenv = os.Getenv
		exerciseBackend(t, opts)
		st, err := open(t, opts).Status(context.Background())
		if err != nil || st.Backend != vault.BackendSecretService {
			t.Errorf("auto chose %q (%v), want secret-service with an unlocked collection", st.Backend, err)
		}
	})
	t.Run("auto skips a missing collection", func(t *testing.T) {
		opts := fileOptions(t)
		opts.Backend = vault.BackendAuto
		opts.Collection = "nosuchcollection"
		opts.Getenv = env{"DBUS_SESSION_BUS_ADDRESS": os.Getenv("DBUS_SESSION_BUS_ADDRESS")}.get
		st, err := open(t, opts).Status(context.Background())
		if err != nil || st.Backend != vault.BackendFile {
			t.Errorf("auto chose %q (%v), want file", st.Backend, err)
		}
	})
}

func TestAutoWithoutSessionBus(t *testing.T) {
	opts := fileOptions(t)
	opts.Backend = vault.BackendAuto
	// No DBUS_SESSION_BUS_ADDRESS: the file backend, at once.
	start := time.Now()
	st, err := open(t, opts).Status(context.Background())
	if err != nil || st.Backend != vault.BackendFile {
		t.Errorf("auto without a bus chose %q (%v)", st.Backend, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
	// A bus address nobody answers on: the file backend too.
	opts.Getenv = env{"DBUS_SESSION_BUS_ADDRESS": "unix:path=" + filepath.Join(t.TempDir(), "nobus")}.get
	st, err = open(t, opts).Status(context.Background())
	if err != nil || st.Backend != vault.BackendFile {
		t.Errorf("auto with a dead bus chose %q (%v)", st.Backend, err)
	}
}

func TestUnknownBackend(t *testing.T) {
	if _, err := vault.Open(context.Background(), vault.Options{Backend: "floppy"}); err == nil || !strings.Contains(err.Error(), "floppy") {
		t.Errorf("New with an unknown backend: %v", err)
	}
}

// blockingPass writes a stand-in for pass that sleeps, and kills what it
// started when the test ends.
func blockingPass(t *testing.T) (cmd, store string) {
	dir := t.TempDir()
	cmd = filepath.Join(dir, "pass")
	pidFile := filepath.Join(dir, "pids")
	script := fmt.Sprintf("#!/bin/sh\necho $$ >> %q\nexec sleep 30 </dev/null >/dev/null 2>&1\n", pidFile)
	if err := os.WriteFile(cmd, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		data, _ := os.ReadFile(pidFile)
		for _, f := range strings.Fields(string(data)) {
			if pid, err := strconv.Atoi(f); err == nil {
				if p, err := os.FindProcess(pid); err == nil {
					p.Kill()
				}
			}
		}
	})
	store = filepath.Join(dir, "store")
	os.MkdirAll(filepath.Join(store, "acctui"), 0o700)
	return cmd, store
}

func TestBackendThatHangsTimesOut(t *testing.T) {
	ctx := context.Background()
	const timeout = 300 * time.Millisecond
	check := func(t *testing.T, err error, start time.Time) {
		t.Helper()
		if d := time.Since(start); d > timeout+time.Second {
			t.Errorf("returned after %v; the timeout is %v", d, timeout)
		}
		if !errors.Is(err, vault.ErrBackendTimeout) || !strings.Contains(err.Error(), "pass") ||
			!strings.Contains(err.Error(), "--vault-backend file") {
			t.Errorf("error %v: want ErrBackendTimeout naming pass and suggesting another backend", err)
		}
	}
	t.Run("store a new key", func(t *testing.T) {
		cmd, store := blockingPass(t)
		opts := fileOptions(t)
		opts.Backend, opts.PassCmd, opts.PassDir, opts.Timeout = vault.BackendPass, cmd, store, timeout
		v := open(t, opts)
		start := time.Now()
		err := v.Update(ctx, func(c *cache.Cache) error { return addAccount(c, 1, 10) })
		check(t, err, start)
		if _, err := os.Stat(v.Path()); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a vault file was written without a stored key: %v", err)
		}
	})
	t.Run("read the key", func(t *testing.T) {
		cmd, store := blockingPass(t)
		opts := fileOptions(t)
		id := exerciseBackend(t, opts) // a vault whose key pass will be asked for
		os.WriteFile(filepath.Join(store, "acctui", "vault-key-"+id+".gpg"), []byte("x"), 0o600)
		opts.Backend, opts.PassCmd, opts.PassDir, opts.Timeout = vault.BackendPass, cmd, store, timeout
		before := snapshotDir(t, opts.Dir)
		start := time.Now()
		err := open(t, opts).Read(ctx, cache.Hint{}, func(*cache.Cache) error { return nil })
		check(t, err, start)
		sameDir(t, opts.Dir, before)
	})
}

func TestMissingKeyNamesTheItem(t *testing.T) {
	opts := fileOptions(t)
	id := exerciseBackend(t, opts)
	other := opts
	other.FileDir = filepath.Join(t.TempDir(), "elsewhere")
	err := open(t, other).Read(context.Background(), cache.Hint{}, func(*cache.Cache) error { return nil })
	if !errors.Is(err, vault.ErrKeyMissing) || !strings.Contains(err.Error(), "vault-key-"+id) {
		t.Errorf("error %v: want ErrKeyMissing naming vault-key-%s", err, id)
	}
}

func TestBusBackendsWithoutBus(t *testing.T) {
	if _, err := os.Stat(fmt.Sprintf("/run/user/%d/bus", os.Getuid())); err == nil {
		t.Skip("this machine has a user bus")
	}
	dir := t.TempDir()
	mark := filepath.Join(dir, "launched")
	os.WriteFile(filepath.Join(dir, "dbus-launch"), []byte(fmt.Sprintf("#!/bin/sh\ntouch %q\nexit 1\n", mark)), 0o755)
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	for _, backend := range []string{vault.BackendKWallet, vault.BackendSecretService} {
		opts := fileOptions(t)
		opts.Backend = backend
		err := open(t, opts).Update(context.Background(), func(c *cache.Cache) error { return addAccount(c, 1, 10) })
		if err == nil || !strings.Contains(err.Error(), backend) || !strings.Contains(err.Error(), "--vault-backend file") {
			t.Errorf("%s without a bus: %v", backend, err)
		}
	}
	if _, err := os.Stat(mark); err == nil {
		t.Error("dbus-launch was run")
	}
}
