package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"acctui/engine/cache"
	bolt "go.etcd.io/bbolt"
)

// TestScanBucketMatchesCursor: the pread scan of a bucket gives what
// bbolt's cursor gives, key for key and byte for byte, over branch pages
// and a value that spills onto overflow pages; both when the pages are
// read fresh and when an earlier walk of the transaction checked them. An
// error of the caller's comes back as it is, not as damage.
func TestScanBucketMatchesCursor(t *testing.T) {
	ctx := context.Background()
	v := manyAccounts(t, func(c *cache.Cache) error {
		// 600 scopes, 14 KB: these accounts' listing groups and records
		// span overflow pages, two apart so that a page read after
		// another's overflow must not take its tail
		for _, i := range []int{100, 500} {
			var scopes []string
			for j := range 600 {
				scopes = append(scopes, fmt.Sprintf("https://example%d/scope%d", i, j))
			}
			err := c.SaveAccessToken(cache.AccessToken{HomeAccountID: guardHome(i), Environment: "login.example", ClientID: "client",
				Realm: "tenant", Target: strings.Join(scopes, " "), Secret: "secret", ExpiresOn: 2e9, CachedAt: 1e9})
			if err != nil {
				return err
			}
		}
		return nil
	})
	type kv struct{ k, v []byte }
	v.mu.Lock()
	defer v.mu.Unlock()
	err := v.txStore(ctx, false, func(tx *bolt.Tx) error {
		for _, bucket := range [][]byte{bucketListing, bucketRecords} {
			var want []kv
			c := tx.Bucket(bucket).Cursor()
			for k, val := c.First(); k != nil; k, val = c.Next() {
				want = append(want, kv{bytes.Clone(k), bytes.Clone(val)})
			}
			if len(want) < 600 || tx.Bucket(bucket).Stats().BranchPageN == 0 {
				t.Fatalf("bucket %s: %d keys, %+v; the test wants branch pages", bucket, len(want), tx.Bucket(bucket).Stats())
			}
			for _, pass := range []string{"fresh", "checked"} {
				var got []kv
				largest := 0
				err := v.scanBucket(tx, bucket, func(k, val []byte) error {
					got = append(got, kv{bytes.Clone(k), bytes.Clone(val)})
					largest = max(largest, len(val))
					return nil
				})
				if err != nil {
					t.Fatalf("%s, %s: %v", bucket, pass, err)
				}
				if len(got) != len(want) {
					t.Fatalf("%s, %s: %d keys, cursor %d", bucket, pass, len(got), len(want))
				}
				for i := range want {
					if !bytes.Equal(got[i].k, want[i].k) || !bytes.Equal(got[i].v, want[i].v) {
						t.Fatalf("%s, %s: element %d differs from the cursor's", bucket, pass, i)
					}
				}
				if largest < 3*4096 {
					t.Errorf("%s: largest value %d bytes; the test wants one on overflow pages", bucket, largest)
				}
			}
		}
		stop := errors.New("enough")
		n := 0
		err := v.scanBucket(tx, bucketListing, func(k, val []byte) error {
			if n++; n == 10 {
				return stop
			}
			return nil
		})
		if err != stop || n != 10 {
			t.Errorf("a caller's error: got %v after %d calls, want it unchanged after 10", err, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
