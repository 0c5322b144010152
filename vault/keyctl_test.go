package vault_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/vault"
)

// kernelTestService returns a service name of its own for a test that uses
// the kernel keyring, and removes the keys it leaves there at the end.
func kernelTestService(t testing.TB, opts vault.Options) string {
	t.Helper()
	service := fmt.Sprintf("acctui-test-%d-%d", os.Getpid(), rand.Uint32())
	t.Cleanup(func() {
		opts.ServiceName = service
		v, err := vault.Open(context.Background(), opts)
		if err != nil {
			return
		}
		if st, err := v.Status(context.Background()); err == nil && st.KeyID != "" {
			vault.KernelForget(v.KernelName(st.KeyID))
		}
		v.Close()
	})
	return service
}

func TestKernelKeyringCache(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	opts.ServiceName = kernelTestService(t, opts)
	opts.KeyctlCache = time.Minute
	v := open(t, opts)
	fill(t, v, 0, 2, 20)
	st, err := v.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vault.KernelGet(v.KernelName(st.KeyID)); err != nil {
		t.Skipf("no kernel keyring here (keyctl: %v); the cache is best effort", err)
	}
	if !kernelKeyHasTimeout(t, v.KernelName(st.KeyID)) {
		t.Error("the cached key has no timeout in /proc/keys")
	}

	// A later run without any passphrase opens the vault from the cache.
	later := opts
	later.Getenv = env{}.get
	w := open(t, later)
	if got := usernames(t, w); len(got) != 2 {
		t.Errorf("from the kernel keyring: %v", got)
	}
	if st, err := w.Status(ctx); err != nil || !st.KeyFromKernel {
		t.Errorf("Status = %+v, %v; want KeyFromKernel", st, err)
	}
	// With the cache off it needs the passphrase again.
	later.KeyctlCache = 0
	err = open(t, later).Read(ctx, cache.Hint{}, func(*cache.Cache) error { return nil })
	if err == nil || !strings.Contains(err.Error(), testPassphraseEnv) {
		t.Errorf("without the cache: %v, want ErrNoPassphrase", err)
	}
	// Reset forgets the old key.
	if _, err := v.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := vault.KernelGet(v.KernelName(st.KeyID)); err == nil {
		t.Error("the old key is still in the kernel keyring after a reset")
	}
}

// kernelKeyHasTimeout looks the key up in /proc/keys, whose fifth column
// is "perm" for a key without expiry.
func kernelKeyHasTimeout(t *testing.T, name string) bool {
	data, err := os.ReadFile("/proc/keys")
	if err != nil {
		t.Logf("cannot read /proc/keys: %v", err)
		return true
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, name) {
			f := strings.Fields(line)
			return len(f) > 4 && f[4] != "perm"
		}
	}
	t.Logf("%s not in /proc/keys", name)
	return true
}

// TestKernelKeyOneOpen: with the data key in the kernel keyring cache, a
// process's first read opens the vault file once; the key is taken inside
// the transaction that found its id, not after closing and reopening.
func TestKernelKeyOneOpen(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	opts.ServiceName = kernelTestService(t, opts)
	opts.KeyctlCache = time.Minute
	fill(t, open(t, opts), 0, 1, 2)

	later := opts
	later.Getenv = env{}.get // no passphrase: the key must come from the kernel
	w := open(t, later)
	if err := w.Read(ctx, cache.Hint{Shared: true}, func(*cache.Cache) error { return nil }); err != nil {
		t.Skipf("no kernel keyring here: %v", err)
	}
	if got := w.FileOpens(); got != 1 {
		t.Errorf("first read from the kernel cache opened the file %d times, want 1", got)
	}
	if st, err := w.Status(ctx); err != nil || !st.KeyFromKernel {
		t.Errorf("Status = %+v, %v; want KeyFromKernel", st, err)
	}

	// Without the cache the key comes from the backend, with the file
	// closed: two opens, the second under the key.
	off := opts
	off.KeyctlCache = 0
	x := open(t, off)
	if err := x.Read(ctx, cache.Hint{Shared: true}, func(*cache.Cache) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if got := x.FileOpens(); got != 2 {
		t.Errorf("first read through the backend opened the file %d times, want 2", got)
	}
}
