//go:build linux

package tests

// TestCLIUserInput: what a user (or a script with an unset variable) hands
// acctui is checked before it can mean something else. Blank --scope,
// --account, --tenant and --username are usage errors that touch nothing;
// files the user names are read with a size limit and a read that blocks
// ends on SIGINT and SIGTERM; a new vault passphrase, from
// ACCTUI_VAULT_PASSPHRASE or --new-from-stdin, follows the one rule
// (internal/passphrase) and a refused one creates nothing.

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

func TestCLIUserInput(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	s := newCLISuite(t, e)
	alice := s.newEnv(t, "alice")
	alice.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
	before := alice.token(t)

	t.Run("blank-flags", func(t *testing.T) {
		for _, args := range [][]string{
			{"token", "--scope", ""},
			{"token", "--scope", " "},
			{"token", "--scope", "\n"},
			{"token", "--scope", cliDefaultScope, "--scope", "\t"},
			{"token", "--account", ""},
			{"token", "--account", " "},
			{"token", "--tenant", "\n"},
			{"token", "--force-refresh", "--scope", ""},
			{"login", "--scope", ""},
			{"login", "--tenant", " "},
			{"login", "--method", "password", "--username", " ", "--password-stdin"},
			{"logout", "", "--yes"},
			{"logout", " \n", "--yes"},
		} {
			e.resetRequests(t)
			res := alice.run(t, nil, args...)
			if res.code != 2 || !strings.Contains(res.errorLine(), "blank") {
				t.Errorf("acctui %q: want exit 2 and a word on the blank value, got %s", args, res)
			}
			if res.stdout != "" {
				t.Errorf("acctui %q printed on stdout: %q", args, res.stdout)
			}
			if recs := e.requests(t); len(recs) != 0 {
				t.Errorf("acctui %q sent requests: %+v", args, recs)
			}
		}
		// Nothing was removed or changed: the cached token is still served.
		if after := alice.token(t); after.AccessToken != before.AccessToken {
			t.Errorf("the blank-flag runs changed the cached token")
		}
	})

	t.Run("size-limits", func(t *testing.T) {
		env := s.newEnv(t, "limits")
		big := filepath.Join(env.home, "big.toml")
		if err := os.WriteFile(big, []byte(strings.Repeat("# padding\n", 200_000)), 0o600); err != nil {
			t.Fatal(err)
		}
		stdin := alicePassword + "\n"
		for _, c := range []struct {
			name  string
			env   *cliEnv
			stdin *string
			args  []string
			code  int
			want  string
		}{
			{"import --msal /dev/zero", env, nil, []string{"import", "--msal", "/dev/zero"}, 1, "--msal /dev/zero: larger than 64 MiB"},
			{"--ca-file /dev/zero", env, &stdin, []string{"login", "--method", "password", "--username", aliceUsername, "--password-stdin", "--ca-file", "/dev/zero"}, 2, "--ca-file /dev/zero: larger than 4 MiB"},
			{"ACCTUI_CONFIG=/dev/zero", env.with("ACCTUI_CONFIG", "/dev/zero"), nil, []string{"accounts"}, 2, "config file /dev/zero: larger than 1 MiB"},
			{"ACCTUI_CONFIG=2 MB file", env.with("ACCTUI_CONFIG", big), nil, []string{"accounts"}, 2, "larger than 1 MiB"},
			{"ACCTUI_CONFIG=missing", env.with("ACCTUI_CONFIG", filepath.Join(env.home, "no-such.toml")), nil, []string{"token"}, 2, "no-such.toml (ACCTUI_CONFIG) does not exist"},
		} {
			res := c.env.run(t, c.stdin, c.args...)
			if res.code != c.code || !strings.Contains(res.errorLine(), c.want) {
				t.Errorf("%s: want exit %d and %q, got %s", c.name, c.code, c.want, res)
			}
		}
		if _, err := os.Stat(filepath.Join(env.vars["ACCTUI_VAULT_DIR"], "vault.acctui")); err == nil {
			t.Errorf("a refused file left a vault behind")
		}
		// The default config path missing is no error.
		env.run(t, nil, "accounts").want(t, 0)
	})

	t.Run("fifo-without-end", func(t *testing.T) {
		env := s.newEnv(t, "fifo-flood")
		fifo := filepath.Join(env.home, "flood.fifo")
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Fatal(err)
		}
		// A writer that never stops: the size limit ends the read. Closing
		// the writer's end afterwards ends its blocked write.
		w, err := os.OpenFile(fifo, os.O_RDWR, 0)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			chunk := make([]byte, 1<<16)
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}()
		res := env.run(t, nil, "import", "--msal", fifo)
		w.Close()
		wg.Wait()
		if res.code != 1 || !strings.Contains(res.errorLine(), "larger than 64 MiB") {
			t.Errorf("want exit 1 and the size limit, got %s", res)
		}
	})

	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run("fifo-silent/"+sig.String(), func(t *testing.T) {
			env := s.newEnv(t, "fifo-silent")
			fifo := filepath.Join(env.home, "silent.fifo")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			// Held open for writing and never written: acctui's read
			// blocks until a signal ends it.
			w, err := os.OpenFile(fifo, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			p := env.start(t, "import", "--msal", fifo)
			waitForOpenFile(t, p, fifo)
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			res := env.wait(t, p, 10*time.Second)
			if res.code != 130 || !strings.Contains(res.errorLine(), "interrupted") {
				t.Errorf("%s during a read that blocks: want exit 130, got %s", sig, res)
			}
			if _, err := os.Stat(filepath.Join(env.vars["ACCTUI_VAULT_DIR"], "vault.acctui")); err == nil {
				t.Errorf("an interrupted import left a vault behind")
			}
		})
	}

	t.Run("weak-passphrase-from-env", func(t *testing.T) {
		msalFile := filepath.Join(alice.home, "alice-export.json")
		alice.run(t, nil, "export", "--msal", msalFile).want(t, 0)
		for name, pass := range map[string]string{"short": "seven77", "blank": "          "} {
			env := s.newEnv(t, "weak-"+name).with("ACCTUI_VAULT_PASSPHRASE", pass)
			stdin := alicePassword + "\n"
			e.resetRequests(t)
			for _, args := range [][]string{
				{"login", "--method", "password", "--username", aliceUsername, "--password-stdin"},
				{"import", "--msal", msalFile},
			} {
				res := env.run(t, &stdin, args...)
				if res.code != 2 || !strings.Contains(res.errorLine(), "ACCTUI_VAULT_PASSPHRASE cannot protect a new vault") || !strings.Contains(res.errorLine(), "nothing was created") {
					t.Errorf("%s passphrase, acctui %q: want exit 2 and the rule, got %s", name, args, res)
				}
			}
			if recs := e.requests(t); count(recs, "token", "") != 0 {
				t.Errorf("a login refused for its passphrase still signed in: %+v", recs)
			}
			if files := filesUnder(t, []string{env.vars["ACCTUI_VAULT_DIR"]}); len(filesNamed(files, "vault.acctui", "vault-key-")) != 0 {
				t.Errorf("a refused passphrase left %v", files)
			}
		}
		// A passphrase that follows the rule creates the vault.
		good := s.newEnv(t, "good-passphrase").with("ACCTUI_VAULT_PASSPHRASE", "eight888")
		good.run(t, nil, "import", "--msal", msalFile).want(t, 0)
		if got := usernames(good.accountsJSON(t)); len(got) != 1 || got[0] != aliceUsername {
			t.Errorf("accounts after the import: %v", got)
		}
	})

	t.Run("vault-reset-with-weak-passphrase", func(t *testing.T) {
		vaultFile := filepath.Join(alice.vars["ACCTUI_VAULT_DIR"], "vault.db")
		res := alice.with("ACCTUI_VAULT_PASSPHRASE", "short").run(t, nil, "vault", "reset", "--yes")
		if res.code != 2 || !strings.Contains(res.errorLine(), "nothing was created") {
			t.Errorf("vault reset under a short passphrase: want exit 2, got %s", res)
		}
		if _, err := os.Stat(vaultFile); err != nil {
			t.Errorf("the vault file moved: %v", err)
		}
		if after := alice.token(t); after.AccessToken != before.AccessToken {
			t.Errorf("the refused reset changed the vault")
		}
	})

	t.Run("vault-passphrase-new-from-stdin", func(t *testing.T) {
		for _, weak := range []string{"short\n", "\n", "        \n"} {
			res := alice.run(t, &weak, "vault", "passphrase", "--new-from-stdin")
			if res.code != 2 || !strings.Contains(res.errorLine(), "nothing changed") {
				t.Errorf("new passphrase %q: want exit 2, got %s", weak, res)
			}
		}
		alice.token(t) // the old passphrase still opens it
	})
}

// waitForOpenFile waits until the process has path open.
func waitForOpenFile(t *testing.T, p *cliProc, path string) {
	t.Helper()
	fdDir := filepath.Join("/proc", strconv.Itoa(p.cmd.Process.Pid), "fd")
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(fdDir)
		for _, e := range entries {
			if target, err := os.Readlink(filepath.Join(fdDir, e.Name())); err == nil && target == path {
				return
			}
		}
		select {
		case <-p.done:
			t.Fatalf("acctui exited before opening %s:\n%s", path, p.stderrText())
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("acctui did not open %s within 10 s:\n%s", path, p.stderrText())
}

// filesNamed returns the files whose base name starts with one of the
// prefixes.
func filesNamed(files []string, prefixes ...string) []string {
	var out []string
	for _, f := range files {
		for _, p := range prefixes {
			if strings.HasPrefix(filepath.Base(f), p) {
				out = append(out, f)
			}
		}
	}
	return out
}
