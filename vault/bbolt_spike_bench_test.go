package vault_test

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// BenchmarkBboltRecordUpdate measures the storage that issue 15's format 3
// is to be built on, before the vault is: a bbolt file holding one sealed
// record per credential (access, refresh and ID token, account) plus one
// summary per account, and one refresh as a transaction that replaces an
// access token and its account's summary. written-B/op is what the
// process passed to write(2) per refresh (the goal is at most 64 KB at any
// vault size), to set beside BenchmarkGoals/*/refresh, which rewrites the
// format 2 file whole.
func BenchmarkBboltRecordUpdate(b *testing.B) {
	key := make([]byte, 32)
	rand.Read(key)
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	seal := func(plain []byte, name []byte) []byte {
		nonce := make([]byte, aead.NonceSize())
		rand.Read(nonce)
		return aead.Seal(nonce, nonce, plain, name)
	}
	token := make([]byte, benchSecret)
	summary := make([]byte, 200)
	for _, n := range []int{1000, 10000} {
		for _, noFreelistSync := range []bool{false, true} {
			b.Run(fmt.Sprintf("accounts=%d/NoFreelistSync=%v", n, noFreelistSync), func(b *testing.B) {
				db, err := bolt.Open(filepath.Join(b.TempDir(), "v3.db"), 0o600, &bolt.Options{NoFreelistSync: noFreelistSync})
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				recKey := func(acct, kind int) []byte {
					k := make([]byte, 16) // stands for a keyed hash
					binary.BigEndian.PutUint64(k, uint64(acct)*0x9e3779b97f4a7c15)
					binary.BigEndian.PutUint64(k[8:], uint64(kind))
					return k
				}
				for start := 0; start < n; start += 1000 {
					err = db.Update(func(tx *bolt.Tx) error {
						recs, err := tx.CreateBucketIfNotExists([]byte("records"))
						if err != nil {
							return err
						}
						sums, err := tx.CreateBucketIfNotExists([]byte("summaries"))
						if err != nil {
							return err
						}
						for a := start; a < min(start+1000, n); a++ {
							for kind := range 4 {
								k := recKey(a, kind)
								if err := recs.Put(k, seal(token, k)); err != nil {
									return err
								}
							}
							k := recKey(a, 9)
							if err := sums.Put(k, seal(summary, k)); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				i := 0
				before := writtenBytes()
				for b.Loop() {
					i++
					a := (i * 7919) % n
					err := db.Update(func(tx *bolt.Tx) error {
						k := recKey(a, 0)
						if err := tx.Bucket([]byte("records")).Put(k, seal(token, k)); err != nil {
							return err
						}
						k = recKey(a, 9)
						return tx.Bucket([]byte("summaries")).Put(k, seal(summary, k))
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				if before >= 0 {
					b.ReportMetric(float64(writtenBytes()-before)/float64(b.N), "written-B/op")
				}
			})
		}
	}
}
