package vault_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"acctui/engine/cache"
	"acctui/vault"
)

// writeMSALFile writes a plain MSAL file (indented, as MSAL Python writes
// it) of accounts from..to-1 with secrets of secretLen and returns its
// path and size. damage, when set, may change the document first.
func writeMSALFile(t *testing.T, from, to, secretLen int, damage func(doc string) string) (string, int64) {
	t.Helper()
	c := cache.New()
	for i := from; i < to; i++ {
		if err := addAccount(c, i, secretLen); err != nil {
			t.Fatal(err)
		}
	}
	doc, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if damage != nil {
		doc = []byte(damage(string(doc)))
	}
	path := filepath.Join(t.TempDir(), "msal.json")
	if err := os.WriteFile(path, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, int64(len(doc))
}

// vaultFiles lists what in dir would be a vault or part of one: all but
// the lock file and the keyring.
func vaultFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Name() != "vault.acctui.lock" && e.Name() != "keyring" {
			out = append(out, e.Name())
		}
	}
	return out
}

// badLastAccount makes the Account entry of the last account invalid (a
// username that is a number), which only the second pass finds.
func badLastAccount(last int) func(string) string {
	return func(doc string) string {
		good := `"username": "` + username(last) + `"`
		if !strings.Contains(doc, good) {
			panic("no username to damage")
		}
		return strings.Replace(doc, good, `"username": 7`, 1)
	}
}

// TestImportFailureLeavesNoVault: an import into a new vault that fails
// after some of its transactions were committed leaves no vault behind,
// and one into an existing vault leaves it as it was.
func TestImportFailureLeavesNoVault(t *testing.T) {
	ctx := context.Background()
	defer vault.SetImportBatches(1, nil)() // a transaction per record
	bad, _ := writeMSALFile(t, 0, 40, 20, badLastAccount(39))

	opts := fileOptions(t)
	v := open(t, opts)
	_, err := v.ImportMSAL(ctx, bad)
	if err == nil || !strings.Contains(err.Error(), "username") {
		t.Fatalf("import of a bad file: %v", err)
	}
	if leftovers := vaultFiles(t, opts.Dir); len(leftovers) > 0 {
		t.Errorf("a failed import into a new vault left %v", leftovers)
	}
	if l, err := v.Accounts(ctx); err != nil || len(l) != 0 {
		t.Errorf("accounts after a failed import: %d, %v", len(l), err)
	}

	fill(t, v, 100, 103, 20)
	before := snapshotDir(t, opts.Dir)
	if _, err := v.ImportMSAL(ctx, bad); err == nil {
		t.Fatal("import of a bad file into an existing vault succeeded")
	}
	sameDir(t, opts.Dir, before)
}

// countdown is a context that says it is cancelled from its n-th Err call
// on: it interrupts an import at each of the points where it looks, in
// turn, without timing.
type countdown struct {
	context.Context
	n *int
}

func (c countdown) Err() error {
	if *c.n--; *c.n < 0 {
		return context.Canceled
	}
	return nil
}

// interruptAtEachCheck runs attempt with a context that ends at its n-th
// look, for n = 0, 1, … until attempt succeeds, calling interrupted(n)
// after each run that ended with context.Canceled. It returns the n that
// succeeded: how many looks the whole run takes.
func interruptAtEachCheck(t *testing.T, attempt func(ctx context.Context) error, interrupted func(n int)) int {
	t.Helper()
	for n := 0; n <= 1000; n++ {
		left := n
		err := attempt(countdown{context.Background(), &left})
		if err == nil {
			return n
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("interrupted import %d: %v", n, err)
		}
		interrupted(n)
	}
	t.Fatal("the import never finished")
	return 0
}

// TestImportInterruptedLeavesNoVault interrupts an import into a new
// vault at every point it checks its context: each leaves no vault, and
// the import then succeeds.
func TestImportInterruptedLeavesNoVault(t *testing.T) {
	defer vault.SetImportBatches(1, nil)()
	file, _ := writeMSALFile(t, 0, 12, 20, nil)
	var (
		opts vault.Options
		v    *vault.Vault
		rep  vault.ImportReport
	)
	n := interruptAtEachCheck(t, func(ctx context.Context) (err error) {
		opts = fileOptions(t)
		v = open(t, opts)
		rep, err = v.ImportMSAL(ctx, file)
		return err
	}, func(n int) {
		if leftovers := vaultFiles(t, opts.Dir); len(leftovers) > 0 {
			t.Fatalf("import interrupted at check %d left %v", n, leftovers)
		}
	})
	if rep.AccountsAfter != 12 || len(usernames(t, v)) != 12 {
		t.Fatalf("after %d interruptions: %+v", n, rep)
	}
	if n < 12 {
		t.Fatalf("the import looked at its context only %d times for 12 batches", n)
	}
}

// TestImportHeapDoesNotGrowWithTheFile imports n and then 4n accounts into
// new vaults and takes the live heap after every committed batch: a
// streaming import holds the entries' keys and one batch, not the file, so
// four times the file may not add more than a quarter of the extra bytes.
// (Memory is counted, not time; two GCs before each reading make the
// count the live heap, bbolt's page pool emptied, and a read-ahead of one
// record keeps what the reader happens to hold out of it.) With a
// read-ahead of many records, its byte bound must hold it as tightly.
func TestImportHeapDoesNotGrowWithTheFile(t *testing.T) {
	for _, ahead := range []struct {
		name           string
		records, bytes int
	}{{"one record", 1, 1}, {"1000 records within 64 KB", 1000, 64 << 10}} {
		t.Run(ahead.name, func(t *testing.T) { importHeapBound(t, ahead.records, ahead.bytes) })
	}
}

func importHeapBound(t *testing.T, records, bytes int) {
	if testing.Short() {
		t.Skip("imports 12 MB")
	}
	const n, secretLen = 100, 8 << 10
	peak := func(file string) uint64 {
		var max uint64
		defer vault.SetImportReadAhead(records, bytes)()
		defer vault.SetImportBatches(1<<20, func() {
			runtime.GC()
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > max {
				max = ms.HeapAlloc
			}
		})()
		v := open(t, fileOptions(t))
		rep, err := v.ImportMSAL(context.Background(), file)
		if err != nil {
			t.Fatal(err)
		}
		if rep.AccountsAfter == 0 {
			t.Fatal("nothing imported")
		}
		return max
	}
	small, smallSize := writeMSALFile(t, 0, n, secretLen, nil)
	large, largeSize := writeMSALFile(t, 0, 4*n, secretLen, nil)
	runtime.GC()
	base, grown := peak(small), peak(large)
	t.Logf("live heap after a batch: %d accounts %.1f MB, %d accounts %.1f MB (files %.1f and %.1f MB)",
		n, float64(base)/(1<<20), 4*n, float64(grown)/(1<<20), float64(smallSize)/(1<<20), float64(largeSize)/(1<<20))
	if grown > base && grown-base > uint64(largeSize-smallSize)/4 {
		t.Errorf("the live heap grew by %d bytes for %d more bytes of file", grown-base, largeSize-smallSize)
	}
}
