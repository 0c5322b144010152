package vault_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"acctui/engine/cache"
	"acctui/vault"
)

// FuzzOpenDamagedVault feeds damaged vault files (format 3: meta, branch
// and leaf pages, the free list, sealed values) through the whole read path
// with the right key. Every damage
// must give a clear error, never a panic and never wrong data (a part the
// call does not need may be damaged: listing accounts reads no record,
// reading the cache no directory), and leave the file as it was.
func FuzzOpenDamagedVault(f *testing.F) {
	opts := fileOptions(f)
	fill(f, open(f, opts), 0, 3, 20)
	v := open(f, opts)
	path := v.Path()
	good, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	goodAccounts, goodDoc, errAccounts, errRead := readAll(v)
	if errAccounts != nil || errRead != nil {
		f.Fatal(errAccounts, errRead)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(good[:40])
	f.Add([]byte("ACCTUIVT"))
	for _, at := range []int{60, 4096 + 60, len(good) / 2, len(good) - 20} { // the meta pages, a page in the middle, the last page
		flipped := bytes.Clone(good)
		flipped[at] ^= 1
		f.Add(flipped)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		accounts, doc, errAccounts, errRead := readAll(open(t, opts))
		for _, err := range []error{errAccounts, errRead} {
			if err != nil && !knownFailure(err) {
				t.Fatalf("unclassified error: %v", err)
			}
		}
		if errAccounts == nil && !slices.Equal(accounts, goodAccounts) {
			t.Fatalf("a damaged file listed other accounts: %v", accounts)
		}
		if errRead == nil && !bytes.Equal(doc, goodDoc) {
			t.Fatalf("a damaged file gave another cache (%d bytes)", len(data))
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(after, data) {
			t.Fatal("reading changed the file")
		}
	})
}

// readAll lists v's accounts and reads its whole cache.
func readAll(v *vault.Vault) (accounts []string, doc []byte, errAccounts, errRead error) {
	ctx := context.Background()
	list, errAccounts := v.Accounts(ctx)
	for _, a := range list {
		accounts = append(accounts, a.HomeAccountID+" "+strings.Join(a.Usernames, ","))
	}
	errRead = v.Read(ctx, cache.Hint{}, func(c *cache.Cache) error {
		var err error
		doc, err = c.Marshal()
		return err
	})
	return accounts, doc, errAccounts, errRead
}

func knownFailure(err error) bool {
	for _, want := range []error{vault.ErrCorrupt, vault.ErrUnsupportedVersion, vault.ErrKeyMissing, vault.ErrWrongPassphrase} {
		if errors.Is(err, want) {
			return true
		}
	}
	return false
}
