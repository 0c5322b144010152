package vault_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"testing"
	"time"

	"acctui/vault"
)

// copyDir copies a vault directory (files only, one level down too).
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o700)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// exported is the vault's plaintext export, to compare two vaults by.
func exported(t *testing.T, v *vault.Vault) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "export.json")
	if err := v.ExportPlaintext(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// A large import merged into a copy of the vault, in many transactions,
// leaves the vault holding what merging it in one transaction does: the
// same report, export and listing, an account the file updates included.
func TestMergeImportIntoACopyEqualsOneTransaction(t *testing.T) {
	ctx := context.Background()
	optsOne := fileOptions(t)
	one := open(t, optsOne)
	fill(t, one, 0, 30, 20)
	// The vault's token of account 25 is newer than the file's.
	if err := saveAccessToken(one, 25, "AT.vault-newer", 3_000_000_000); err != nil {
		t.Fatal(err)
	}
	optsCopy := optsOne
	optsCopy.Dir = filepath.Join(t.TempDir(), "acctui")
	copyDir(t, optsOne.Dir, optsCopy.Dir)
	inCopy := open(t, optsCopy)
	file, _ := writeMSALFile(t, 20, 60, 300, nil)

	repOne, err := one.ImportMSAL(ctx, file)
	if err != nil {
		t.Fatal(err)
	}
	batches := 0
	func() {
		defer vault.SetImportCopyBytes(0)()
		defer vault.SetImportBatches(4<<10, func() { batches++ })()
		repCopy, err := inCopy.ImportMSAL(ctx, file)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(repCopy, repOne) {
			t.Errorf("report in a copy %+v, in one transaction %+v", repCopy, repOne)
		}
	}()
	if batches < 10 {
		t.Errorf("the merge into a copy took %d transactions; the test wants many", batches)
	}
	if repOne.AccountsBefore != 30 || repOne.AccountsAfter != 60 {
		t.Errorf("report %+v", repOne)
	}
	if a, b := exported(t, one), exported(t, inCopy); !bytes.Equal(a, b) {
		t.Errorf("exports differ: one transaction %d bytes, copy %d bytes", len(a), len(b))
	}
	now := time.Now()
	listOne, err1 := one.Overview(ctx, now)
	listCopy, err2 := inCopy.Overview(ctx, now)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(listOne, listCopy) || len(listCopy) != 60 {
		t.Errorf("listings differ (%d and %d accounts): %v, %v", len(listOne), len(listCopy), err1, err2)
	}
	if leftovers := vaultFiles(t, optsCopy.Dir); len(leftovers) != 2 { // vault.acctui, vault.db
		t.Errorf("the vault directory holds %v", leftovers)
	}
}

// A merge into a copy that fails, or is interrupted at any point it
// looks at its context, leaves the vault's directory byte for byte as it
// was, and the next one succeeds.
func TestMergeImportIntoACopyIsAllOrNothing(t *testing.T) {
	defer vault.SetImportCopyBytes(0)()
	defer vault.SetImportBatches(2<<10, nil)()
	opts := fileOptions(t)
	v := open(t, opts)
	fill(t, v, 0, 5, 20)
	bad, _ := writeMSALFile(t, 3, 15, 200, badLastAccount(14))
	before := snapshotDir(t, opts.Dir)
	if _, err := v.ImportMSAL(context.Background(), bad); err == nil {
		t.Fatal("a bad file merged")
	}
	sameDir(t, opts.Dir, before)

	good, _ := writeMSALFile(t, 3, 15, 200, nil)
	var rep vault.ImportReport
	n := interruptAtEachCheck(t, func(ctx context.Context) (err error) {
		rep, err = v.ImportMSAL(ctx, good)
		return err
	}, func(int) { sameDir(t, opts.Dir, before) })
	if rep.AccountsBefore != 5 || rep.AccountsAfter != 15 || len(usernames(t, v)) != 15 {
		t.Fatalf("after %d interruptions: %+v", n, rep)
	}
	if n < 5 {
		t.Fatalf("the merge looked at its context only %d times", n)
	}
}

// TestMergeImportHeapDoesNotGrowWithTheVault merges one file into a vault
// of n accounts and one of 4n, taking the live heap after every committed
// batch: a merge into a copy holds one batch, not the pages of the whole
// vault a single transaction changes.
func TestMergeImportHeapDoesNotGrowWithTheVault(t *testing.T) {
	if testing.Short() {
		t.Skip("writes vaults of 10 MB")
	}
	const n, secretLen = 100, 8 << 10
	file, fileSize := writeMSALFile(t, 10_000, 10_000+n, secretLen, nil)
	peak := func(accounts int) uint64 {
		opts := fileOptions(t)
		v := open(t, opts)
		fill(t, v, 0, accounts, secretLen)
		var max uint64
		batches := 0
		defer vault.SetImportReadAhead(1, 1)()
		defer vault.SetImportCopyBytes(0)()
		defer vault.SetImportBatches(1<<20, func() {
			batches++
			runtime.GC()
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			max = ms.HeapAlloc
		})()
		runtime.GC()
		rep, err := v.ImportMSAL(context.Background(), file)
		if err != nil {
			t.Fatal(err)
		}
		if rep.AccountsAfter != accounts+n || batches < 2 {
			t.Fatalf("report %+v after %d batches", rep, batches)
		}
		return max
	}
	small, large := peak(n), peak(4*n)
	t.Logf("live heap after a batch: into %d accounts %.1f MB, into %d %.1f MB (file %.1f MB)",
		n, float64(small)/(1<<20), 4*n, float64(large)/(1<<20), float64(fileSize)/(1<<20))
	if large > small && large-small > uint64(fileSize)/4 {
		t.Errorf("the live heap grew by %d bytes for a vault %d accounts larger", large-small, 3*n)
	}
}
