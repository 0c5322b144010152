package vault_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/vault"
)

// Helper processes: the test binary runs itself with VAULT_TEST_HELPER set
// to play another acctui process.
const (
	helperEnv    = "VAULT_TEST_HELPER"
	helperDirEnv = "VAULT_TEST_DIR"
	helperIDEnv  = "VAULT_TEST_ID"
	// helperServiceEnv, when set, turns on the kernel keyring cache under
	// that service name, so a helper need not run PBKDF2 to unlock.
	helperServiceEnv = "VAULT_TEST_SERVICE"
)

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "adder":
		os.Exit(helperAdder())
	case "writer":
		os.Exit(helperWriter())
	case "refresher":
		os.Exit(helperRefresher())
	case "dbusenv":
		fmt.Printf("DBUS_SESSION_BUS_ADDRESS=%q\n", os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
		os.Exit(0)
	default:
		fmt.Fprintln(os.Stderr, "unknown helper", os.Getenv(helperEnv))
		os.Exit(2)
	}
}

// helperOptions are the options of a helper process's vault.
func helperOptions() vault.Options {
	opts := vault.Options{
		Dir:         os.Getenv(helperDirEnv),
		Backend:     vault.BackendFile,
		LockTimeout: time.Minute,
		Getenv:      env{testPassphraseEnv: testPassphrase}.get,

		PassphraseEnv: testPassphraseEnv,
	}
	if s := os.Getenv(helperServiceEnv); s != "" {
		opts.ServiceName, opts.KeyctlCache = s, time.Minute
	}
	return opts
}

// helperAdder adds 50 accounts, one Update each.
func helperAdder() int {
	id, _ := strconv.Atoi(os.Getenv(helperIDEnv))
	v, err := vault.Open(context.Background(), helperOptions())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for j := range 50 {
		err := v.Update(context.Background(), func(c *cache.Cache) error { return addTinyAccount(c, id*50+j) })
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// helperWriter adds accounts 0, 1, 2, … in order until it is killed,
// one in five through a whole-cache Update and the others through a hinted
// Write. It prints "ready" after its first write.
func helperWriter() int {
	ctx := context.Background()
	v, err := vault.Open(context.Background(), helperOptions())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	accounts, err := v.Accounts(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	for n := len(accounts); ; n++ {
		add := func(c *cache.Cache) error { return addTinyAccount(c, n) }
		if n%5 == 0 {
			err = v.Update(ctx, add)
		} else {
			err = v.Write(ctx, cache.Hint{HomeAccountID: homeID(n)}, add)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if n == len(accounts) {
			fmt.Println("ready")
		}
	}
}

// helper returns a command running the test binary as a helper.
func helper(name, dir string, extraEnv ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+name, helperDirEnv+"="+dir)
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Stderr = os.Stderr
	return cmd
}

func TestConcurrentProcessesLoseNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 8 processes")
	}
	opts := fileOptions(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for id := range 8 {
		cmd := helper("adder", opts.Dir, fmt.Sprintf("%s=%d", helperIDEnv, id))
		wg.Go(func() {
			if err := cmd.Run(); err != nil {
				errs <- fmt.Errorf("helper %d: %w", id, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := usernames(t, open(t, opts))
	var want []string
	for i := range 400 {
		want = append(want, username(i))
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%d accounts at the end, want all 400", len(got))
	}
}

func TestKilledWriterLeavesOldOrNew(t *testing.T) {
	if testing.Short() {
		t.Skip("kills 200 processes")
	}
	// The key is kept in the kernel keyring (where there is one) so that
	// the 400 opens do not each run the file backend's PBKDF2.
	opts := fileOptions(t)
	opts.ServiceName, opts.KeyctlCache = kernelTestService(t, opts), time.Minute
	rounds := 200
	prev := 0
	start := time.Now()
	for round := range rounds {
		cmd := helper("writer", opts.Dir, helperServiceEnv+"="+opts.ServiceName)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("round %d: helper said %q, %v", round, line, err)
		}
		time.Sleep(time.Duration(rand.IntN(4000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		// The file must open, authenticate and hold accounts 0..k-1 for a
		// k not below the last round's: the old cache or a newer one. Every
		// record is decrypted each round; the whole cache is parsed and
		// compared with the index every tenth round and at the end.
		v, err := vault.Open(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		accounts, err := v.Accounts(context.Background())
		if err == nil {
			err = v.CheckRecords(context.Background())
		}
		if err != nil {
			t.Fatalf("round %d: the vault does not open after a kill: %v", round, err)
		}
		var got []string
		for _, a := range accounts {
			got = append(got, a.Usernames...)
		}
		if round%10 == 9 || round == rounds-1 {
			whole := usernames(t, v)
			slices.Sort(whole)
			slices.Sort(got)
			if !slices.Equal(whole, got) {
				t.Fatalf("round %d: the records hold %d accounts, the index %d", round, len(whole), len(got))
			}
		}
		v.Close()
		if len(got) < prev {
			t.Fatalf("round %d: %d accounts, had %d before this writer", round, len(got), prev)
		}
		slices.Sort(got)
		for i, name := range got {
			if name != username(i) {
				t.Fatalf("round %d: accounts are not 0..%d: %s at %d", round, len(got)-1, name, i)
			}
		}
		prev = len(got)
	}
	t.Logf("%d kills in %v, %d accounts written", rounds, time.Since(start).Round(time.Millisecond), prev)
}

func TestKeyringInitLaunchesNoDBusDaemon(t *testing.T) {
	// A dbus-launch that only leaves a mark: the keyring library's init
	// must not run it (see internal/dbusguard), and must leave the
	// environment as it found it.
	dir := t.TempDir()
	mark := filepath.Join(dir, "launched")
	script := fmt.Sprintf("#!/bin/sh\ntouch %q\nexit 1\n", mark)
	if err := os.WriteFile(filepath.Join(dir, "dbus-launch"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := helper("dbusenv", dir)
	var env []string
	for _, kv := range cmd.Env {
		if !strings.HasPrefix(kv, "DBUS_SESSION_BUS_ADDRESS=") && !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(mark); err == nil {
		t.Error("loading the vault package ran dbus-launch")
	}
	if string(out) != "DBUS_SESSION_BUS_ADDRESS=\"\"\n" {
		t.Errorf("the environment was changed: %s", out)
	}
}
