package vault_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"acctui/engine/cache"
	"acctui/vault"
)

func TestHintedReadDecryptsOnlyItsRecord(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	fill(t, open(t, opts), 0, 50, 30)

	// What `acctui token --account U` does: resolve the username, then read
	// its account. The names bucket finds the account; the summaries of
	// the other 49 accounts stay sealed.
	v := open(t, opts)
	found, err := v.ResolveAccount(ctx, strings.ToUpper(username(7)))
	if err != nil || len(found) != 1 || found[0].HomeAccountID != homeID(7) {
		t.Fatalf("ResolveAccount = %+v, %v", found, err)
	}
	if n := v.Decryptions(); n != 2 {
		t.Errorf("resolve decrypted %d things, want 2 (manifest, summary)", n)
	}
	err = v.Read(ctx, cache.Hint{HomeAccountID: homeID(7)}, func(c *cache.Cache) error {
		if a := c.Accounts(); len(a) != 1 || a[0].Username != username(7) {
			t.Errorf("hinted read got %v", a)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// manifest, the shared record's app metadata entry, the summary and
	// the account's four credentials (account, access, refresh, ID token)
	if n := v.Decryptions(); n != 2+7 {
		t.Errorf("resolve + hinted read decrypted %d things, want 9", n)
	}
	// Listing accounts decrypts the manifest and the summaries only.
	if list, err := v.Accounts(ctx); err != nil || len(list) != 50 {
		t.Fatalf("Accounts: %d, %v", len(list), err)
	}
	if n := v.Decryptions(); n != 9+1+50 {
		t.Errorf("listing accounts: %d decryptions, want 60", n)
	}
	// Another process writes account 8: the reader of account 7 decrypts
	// what it did before, no more.
	fill(t, open(t, opts), 8, 9, 30)
	v.Read(ctx, cache.Hint{HomeAccountID: homeID(7)}, func(*cache.Cache) error { return nil })
	if n := v.Decryptions(); n != 60+7 {
		t.Errorf("after another writer: %d decryptions, want 67", n)
	}
}

func TestLockTimeout(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	opts.LockTimeout = 150 * time.Millisecond
	v := open(t, opts)
	fill(t, v, 0, 1, 10)

	held := flock.New(filepath.Join(opts.Dir, vault.FileName) + ".lock")
	if ok, err := held.TryLock(); !ok || err != nil {
		t.Fatalf("lock: %v %v", ok, err)
	}
	defer held.Unlock()
	start := time.Now()
	err := v.Update(ctx, func(c *cache.Cache) error { return addAccount(c, 1, 10) })
	if !errors.Is(err, vault.ErrLocked) || !strings.Contains(err.Error(), filepath.Join(opts.Dir, vault.FileName)+".lock") {
		t.Errorf("Update under a held lock: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("waited %v for a 150ms lock timeout", d)
	}
	// Readers take no lock.
	if got := usernames(t, open(t, opts)); len(got) != 1 {
		t.Errorf("read under a held lock: %v", got)
	}
}

// TestSharedHintTouchesNoAccount: discovery and throttling state lives in
// the shared record; reading and writing it must not cost a decryption or
// a re-seal of any account.
func TestSharedHintTouchesNoAccount(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	fill(t, open(t, opts), 0, 20, 30)
	v := open(t, opts)
	err := v.Write(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		if n := len(c.Accounts()); n != 0 {
			t.Errorf("a shared write sees %d accounts", n)
		}
		return c.SetMetadata("oidc|test", []byte(`{"token_endpoint":"x"}`), time.Now().Add(time.Hour).Unix())
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := v.Decryptions(); n != 2 {
		t.Errorf("a shared write decrypted %d things, want 2 (manifest, the app metadata entry)", n)
	}
	fresh := open(t, opts)
	err = fresh.Read(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		if _, ok := c.Metadata("oidc|test", time.Now().Unix()); !ok {
			t.Error("the metadata did not survive")
		}
		return nil
	})
	if err != nil || fresh.Decryptions() != 3 { // manifest, app metadata, the new entry
		t.Errorf("shared read: %v, %d decryptions", err, fresh.Decryptions())
	}
	if got := usernames(t, fresh); len(got) != 20 {
		t.Errorf("accounts after a shared write: %d", len(got))
	}
}
