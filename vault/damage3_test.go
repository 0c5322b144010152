package vault_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"acctui/engine/cache"
	"acctui/vault"
)

// TestDamagedPageNamesReset damages every page of a format 3 file in turn
// (its header, where bbolt reads counts and offsets, and its middle) and
// reads the vault: every read gives the vault's data or a known error, a
// damage error names `vault reset`, nothing panics (bbolt's panics and
// faults on a damaged page are recovered) and the file stays as it was;
// a write after them fails the same way or succeeds, never panics.
func TestDamagedPageNamesReset(t *testing.T) {
	opts := fileOptions(t)
	// one transaction: a damaged meta page makes bbolt fall back to the
	// state before the last one
	err := open(t, opts).Update(context.Background(), func(c *cache.Cache) error {
		for i := range 12 {
			if err := addAccount(c, i, 900); err != nil {
				return err
			}
		}
		return addTenants(c, 12, 4) // read in one realm below
	})
	if err != nil {
		t.Fatal(err)
	}
	v := open(t, opts)
	path := v.Path()
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	goodAccounts, goodDoc, errAccounts, errRead := readAll(v)
	if errAccounts != nil || errRead != nil {
		t.Fatal(errAccounts, errRead)
	}
	page := os.Getpagesize()
	damaged := 0
	for p := 0; p*page < len(good); p++ {
		for _, at := range []int{8, 10, 12, 17, 24, page / 2} {
			file := bytes.Clone(good)
			file[p*page+at] ^= 0x5a
			if err := os.WriteFile(path, file, 0o600); err != nil {
				t.Fatal(err)
			}
			w := open(t, opts)
			accounts, doc, errAccounts, errRead := readAll(w)
			errHinted := w.Read(context.Background(), cache.Hint{HomeAccountID: homeID(3)}, func(*cache.Cache) error { return nil })
			errRealm := w.Read(context.Background(), cache.Hint{HomeAccountID: homeID(12), Realm: tenantOf(2)}, func(*cache.Cache) error { return nil })
			_, errStatus := w.Status(context.Background())
			for _, err := range []error{errAccounts, errRead, errHinted, errRealm, errStatus} {
				if err == nil {
					continue
				}
				if !knownFailure(err) {
					t.Fatalf("page %d byte %d: unclassified error: %v", p, at, err)
				}
				if errors.Is(err, vault.ErrCorrupt) && !strings.Contains(err.Error(), "vault reset") {
					t.Errorf("page %d byte %d: the error does not name vault reset: %v", p, at, err)
				}
				damaged++
			}
			if errAccounts == nil && !equalStrings(accounts, goodAccounts) {
				t.Fatalf("page %d byte %d: other accounts listed", p, at)
			}
			if errRead == nil && !bytes.Equal(doc, goodDoc) {
				t.Fatalf("page %d byte %d: another cache read", p, at)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, file) {
				t.Fatalf("page %d byte %d: reading changed the file", p, at)
			}
			// A write may find the damage or not touch it; it never panics.
			err := w.Write(context.Background(), cache.Hint{HomeAccountID: homeID(3)}, func(c *cache.Cache) error { return addAccount(c, 3, 20) })
			if err != nil && !knownFailure(err) {
				t.Fatalf("page %d byte %d: write: unclassified error: %v", p, at, err)
			}
			err = w.Write(context.Background(), cache.Hint{HomeAccountID: homeID(12), Realm: tenantOf(2)}, func(c *cache.Cache) error {
				return c.SetMetadata("damage-test", []byte(`{}`), 0)
			})
			if err != nil && !knownFailure(err) {
				t.Fatalf("page %d byte %d: realm-hinted write: unclassified error: %v", p, at, err)
			}
		}
	}
	if damaged == 0 {
		t.Fatal("no damage was noticed at all")
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
