package vault_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"acctui/vault"
)

// keyctlThreadsEnv marks the child process of TestKeyctlAcrossThreads.
const keyctlThreadsEnv = "VAULT_TEST_KEYCTL_THREADS"

// TestKeyctlAcrossThreads uses the kernel keyring from a process whose
// threads each have their own session keyring, as every thread of a process
// started without one (by systemd, cron, a CI runner) ends up with. Making a
// key there takes several system calls, and a goroutine that moves to
// another thread between them loses the key it just made: the keyctl
// backend then failed to open, now and then, on such machines. The child
// process gives its threads distinct session keyrings and keeps the
// scheduler busy so goroutines move; the parent only checks it passed.
func TestKeyctlAcrossThreads(t *testing.T) {
	if os.Getenv(keyctlThreadsEnv) != "" {
		keyctlAcrossThreads(t)
		return
	}
	if _, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_USER_KEYRING, true); err != nil {
		t.Skipf("the kernel keyring is not usable here: %v", err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestKeyctlAcrossThreads$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), keyctlThreadsEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

func keyctlAcrossThreads(t *testing.T) {
	if n := divergeSessionKeyrings(t, 8); n < 2 {
		t.Fatalf("%d distinct session keyrings; the test needs threads that differ", n)
	}
	var stop atomic.Bool
	var spinners sync.WaitGroup
	for range runtime.GOMAXPROCS(0) * 2 {
		spinners.Go(func() {
			// Busy, not yielding: a goroutine back from a system call
			// then often finds no free P on its thread and moves.
			for !stop.Load() {
			}
		})
	}
	t.Cleanup(func() { stop.Store(true); spinners.Wait() })

	ctx := context.Background()
	for i := range 40 {
		opts := fileOptions(t)
		opts.Backend = vault.BackendKeyctl
		opts.ServiceName = fmt.Sprintf("acctui-test-threads-%d-%d", os.Getpid(), i)
		t.Cleanup(func() { unlinkNamedKeyring(opts.ServiceName) })
		v, err := vault.Open(ctx, opts)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		fill(t, v, 0, 1, 10)
		v.Close()
		if got := usernames(t, open(t, opts)); len(got) != 1 {
			t.Fatalf("reopened vault %d holds %v", i, got)
		}
	}
	for i := range 10000 {
		name := fmt.Sprintf("acctui-test-threads-%d:cached-%d", os.Getpid(), i)
		if err := vault.KernelPut(name, []byte("thirty-two bytes of a data key!!"), time.Minute); err != nil {
			t.Fatalf("kernel put %d: %v", i, err)
		}
		if _, err := vault.KernelGet(name); err != nil {
			t.Fatalf("kernel get %d: %v", i, err)
		}
		vault.KernelForget(name)
	}
}

// divergeSessionKeyrings gives n threads a new session keyring each
// and hands them back to the scheduler; it returns how many distinct
// session keyrings those threads have.
func divergeSessionKeyrings(t *testing.T, n int) int {
	t.Helper()
	var joined, release sync.WaitGroup
	joined.Add(n)
	release.Add(1)
	ids := make(chan int, n)
	for i := range n {
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			id, err := unix.KeyctlJoinSessionKeyring(fmt.Sprintf("acctui-test-session-%d-%d", os.Getpid(), i))
			if err != nil {
				t.Errorf("join session keyring: %v", err)
			}
			ids <- id
			joined.Done()
			release.Wait() // hold the thread until every goroutine has one
		}()
	}
	joined.Wait()
	release.Done()
	distinct := map[int]bool{}
	for range n {
		distinct[<-ids] = true
	}
	return len(distinct)
}

// unlinkNamedKeyring removes the keyring the keyctl backend made for a
// service from the user keyring.
func unlinkNamedKeyring(service string) {
	if id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "keyring", service, 0); err == nil {
		unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0)
	}
}
