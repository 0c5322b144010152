package vault

import (
	bolt "go.etcd.io/bbolt"

	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"acctui/engine/cache"
)

func TestSplitMergeRoundTrip(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "azure_cli_msal_token_cache.json"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := cache.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	frags, err := splitCache(doc)
	if err != nil {
		t.Fatal(err)
	}
	alice := "11111111-aaaa-bbbb-cccc-000000000001.72f988bf-86f1-41af-91ab-2d7cd011db47"
	bob := "22222222-aaaa-bbbb-cccc-000000000002.9188040d-6c67-4c5b-b112-36a304b66dad"
	if len(frags) != 3 || frags[alice] == nil || frags[bob] == nil || frags[sharedID] == nil {
		t.Fatalf("fragments %q", keys(frags))
	}
	for id, frag := range frags {
		if id != sharedID && bytes.Contains(frag, []byte("fixture-at-app")) {
			t.Errorf("the app-only token (no home account) went to %q", id)
		}
	}
	shared := string(frags[sharedID])
	for _, want := range []string{"fixture-at-app", "AppMetadata", "SomeOtherTool"} {
		if !strings.Contains(shared, want) {
			t.Errorf("shared record lacks %s: %s", want, shared)
		}
	}
	if strings.Contains(shared, "fixture-rt") || strings.Contains(string(frags[alice]), "fixture-rt-bob") {
		t.Error("an account's entry went to the wrong record")
	}

	// Merging all fragments gives back the same cache, byte for byte.
	var all [][]byte
	for _, f := range frags {
		all = append(all, f)
	}
	merged, err := mergeFragments(all)
	if err != nil {
		t.Fatal(err)
	}
	c2, err := cache.Parse(merged)
	if err != nil {
		t.Fatal(err)
	}
	doc2, _ := c2.Marshal()
	if !bytes.Equal(doc, doc2) {
		t.Errorf("round trip differs:\n%s\n---\n%s", doc, doc2)
	}
	// Splitting is deterministic.
	again, _ := splitCache(doc2)
	for id := range frags {
		if !bytes.Equal(frags[id], again[id]) {
			t.Errorf("fragment %q differs between two splits", id)
		}
	}
	s, ok := summarize(frags[bob])
	if !ok || s.HomeAccountID != bob || len(s.Usernames) != 1 || s.Usernames[0] != "bob@fabrikam.example" {
		t.Errorf("summary %+v", s)
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestWriteReSealsOnlyChangedRecords(t *testing.T) {
	dir := t.TempDir()
	v, err := Open(t.Context(), Options{Dir: dir, Backend: BackendFile, PassphraseEnv: "TEST_PASSPHRASE", Getenv: func(k string) string {
		if k == "TEST_PASSPHRASE" {
			return "pw"
		}
		return ""
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	ctx := t.Context()
	err = v.Update(ctx, func(c *cache.Cache) error {
		for _, h := range []string{"a.t", "b.t", "c.t"} {
			if err := c.SaveAccount(cache.Account{HomeAccountID: h, Environment: "e", Realm: "t", Username: h + "@x"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	before := sealedRecords(t, v)
	err = v.Write(ctx, cache.Hint{HomeAccountID: "b.t"}, func(c *cache.Cache) error {
		return c.SaveAccount(cache.Account{HomeAccountID: "b.t", Environment: "e", Realm: "t2", Username: "b@x"})
	})
	if err != nil {
		t.Fatal(err)
	}
	after := sealedRecords(t, v)
	if !bytes.Equal(before["a.t"], after["a.t"]) || !bytes.Equal(before["c.t"], after["c.t"]) {
		t.Error("records of accounts not written were sealed again")
	}
	if bytes.Equal(before["b.t"], after["b.t"]) {
		t.Error("the changed record was not sealed again")
	}
	// A whole-cache update that changes one account re-seals that one only.
	err = v.Update(ctx, func(c *cache.Cache) error {
		return c.SaveAccount(cache.Account{HomeAccountID: "c.t", Environment: "e", Realm: "t3", Username: "c@x"})
	})
	if err != nil {
		t.Fatal(err)
	}
	third := sealedRecords(t, v)
	if !bytes.Equal(after["a.t"], third["a.t"]) || !bytes.Equal(after["b.t"], third["b.t"]) || bytes.Equal(after["c.t"], third["c.t"]) {
		t.Error("Update re-sealed the wrong records")
	}
}

// sealedRecords returns, per account, its sealed credentials and summary
// as they are in the file, concatenated in key order.
func sealedRecords(t *testing.T, v *Vault) map[string][]byte {
	t.Helper()
	v.mu.Lock()
	defer v.mu.Unlock()
	out := map[string][]byte{}
	err := v.txStore(t.Context(), false, func(tx *bolt.Tx) error {
		m, err := v.readManifest(tx)
		if err != nil {
			return err
		}
		return v.eachAccount(tx, m, func(a *account) error {
			b := bytes.Clone(tx.Bucket(bucketAccounts).Get(a.tag[:]))
			c := tx.Bucket(bucketRecords).Cursor()
			for k, val := c.Seek(a.tag[:]); k != nil && bytes.HasPrefix(k, a.tag[:]); k, val = c.Next() {
				b = append(b, val...)
			}
			out[a.sum.ID] = b
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
