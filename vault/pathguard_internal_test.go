package vault

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"acctui/engine/cache"
	bolt "go.etcd.io/bbolt"
)

// guardHome is the home account id of account i of manyAccounts.
func guardHome(i int) string { return fmt.Sprintf("%08x-0000-4000-8000-000000000000.tenant", i) }

// manyAccounts is a vault of 600 accounts, enough for buckets with
// branch pages; more, when set, adds to the cache of the same write.
func manyAccounts(t *testing.T, more func(c *cache.Cache) error) *Vault {
	t.Helper()
	v, err := Open(context.Background(), Options{Dir: filepath.Join(t.TempDir(), "acctui"), Backend: BackendFile,
		Getenv: func(string) string { return "a passphrase" }, PassphraseEnv: "P", ResetCommand: "acctui vault reset"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	err = v.Update(context.Background(), func(c *cache.Cache) error {
		for i := range 600 {
			err := c.SaveAccount(cache.Account{HomeAccountID: guardHome(i), Environment: "login.example", Realm: "tenant",
				Username: fmt.Sprintf("user%d@example", i), AuthorityType: cache.AuthorityTypeMSSTS})
			if err != nil {
				return err
			}
		}
		if more != nil {
			return more(c)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestGuardReadsThePathOnce: in a vault of 600 accounts, checking one
// account's records reads a few pages of the hundreds the bucket has, the
// same check again in the transaction reads none, a lookup beside it
// reads only the pages not yet seen, and after a full walk nothing more
// is read; the next transaction of the same file reads nothing, the first
// after a write reads the path again.
func TestGuardReadsThePathOnce(t *testing.T) {
	ctx := context.Background()
	v := manyAccounts(t, nil)
	v.mu.Lock()
	defer v.mu.Unlock()
	err := v.txStore(ctx, false, func(tx *bolt.Tx) error {
		g := v.guardOf(tx)
		reads := func(check func() error) int {
			t.Helper()
			before := g.reads
			if err := check(); err != nil {
				t.Fatal(err)
			}
			return g.reads - before
		}
		a, b := recordTag(v.lookup, recordID(guardHome(7))), recordTag(v.lookup, recordID(guardHome(8)))
		first := reads(func() error { return v.guardPrefix(tx, bucketRecords, a[:]) })
		if first == 0 || first > 6 {
			t.Errorf("one account's records: %d pages read; want the path, 2 to 6", first)
		}
		if n := reads(func() error { return v.guardPrefix(tx, bucketRecords, a[:]) }); n != 0 {
			t.Errorf("the same check again read %d pages", n)
		}
		if n := reads(func() error { return v.guardWrite(tx, bucketRecords, b[:]) }); n > first+2 {
			t.Errorf("a write beside it read %d pages", n)
		}
		all := reads(func() error { return v.guardBucket(tx, bucketRecords) })
		if all < 50 {
			t.Errorf("the whole records bucket: %d pages; the test wants a large one", all)
		}
		t.Logf("records: %d pages, %d read for one account", g.reads, first)
		if n := reads(func() error { return v.guardKey(tx, bucketRecords, b[:]) }); n != 0 {
			t.Errorf("a lookup after the full walk read %d pages", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// The next transaction sees the same file: it reads nothing again.
	// After a write it reads the path anew.
	a := recordTag(v.lookup, recordID(guardHome(7)))
	pathReads := func() (n int) {
		t.Helper()
		err := v.txStore(ctx, false, func(tx *bolt.Tx) error {
			err := v.guardPrefix(tx, bucketRecords, a[:])
			n = v.guardOf(tx).reads
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := pathReads(); n != 0 {
		t.Errorf("a transaction of the same file read %d pages again", n)
	}
	v.mu.Unlock()
	err = v.Update(ctx, func(c *cache.Cache) error {
		return c.SaveAccount(cache.Account{HomeAccountID: guardHome(1000), Environment: "login.example", Realm: "tenant",
			Username: "new@example", AuthorityType: cache.AuthorityTypeMSSTS})
	})
	v.mu.Lock()
	if err != nil {
		t.Fatal(err)
	}
	if n := pathReads(); n == 0 {
		t.Error("after a write, the path was not read again")
	}
}
