package vault_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"acctui/engine/cache"
	"acctui/vault"
)

// FuzzOpenDamagedVault feeds damaged vault files (header, index, records)
// through the whole read path with the right key. Every damage must give a
// clear error, never a panic, and leave the file as it was.
func FuzzOpenDamagedVault(f *testing.F) {
	opts := fileOptions(f)
	fill(f, open(f, opts), 0, 3, 20)
	path := open(f, opts).Path()
	good, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(good[:40])
	f.Add([]byte("ACCTUIVT"))
	flipped := bytes.Clone(good)
	flipped[60] ^= 1
	f.Add(flipped)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		v := open(t, opts)
		ctx := context.Background()
		_, errAccounts := v.Accounts(ctx)
		errRead := v.Read(ctx, cache.Hint{}, func(*cache.Cache) error { return nil })
		for _, err := range []error{errAccounts, errRead} {
			if err != nil && !knownFailure(err) {
				t.Fatalf("unclassified error: %v", err)
			}
		}
		if (errAccounts == nil || errRead == nil) && !bytes.Equal(data, good) {
			t.Fatalf("a damaged file was read without an error (%d bytes)", len(data))
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(after, data) {
			t.Fatal("reading changed the file")
		}
	})
}

func knownFailure(err error) bool {
	for _, want := range []error{vault.ErrCorrupt, vault.ErrUnsupportedVersion, vault.ErrKeyMissing, vault.ErrWrongPassphrase} {
		if errors.Is(err, want) {
			return true
		}
	}
	return false
}
