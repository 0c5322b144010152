package vault

import (
	"bytes"
	"context"
	"os"

	bolt "go.etcd.io/bbolt"
)

// Decryptions returns how many indexes and records v has decrypted, so
// tests can tell what a read touched.
func (v *Vault) Decryptions() int64 { return v.decrypts.Load() }

// KernelName is the kernel keyring description of a cached data key.
func (v *Vault) KernelName(keyIDHex string) string {
	return v.opts.ServiceName + ":vault-key-" + keyIDHex
}

// KernelForget drops a cached key from the kernel keyring.
var KernelForget = kernelForget

// KernelGet reads a cached key from the kernel keyring.
var KernelGet = kernelGet

// RecordSpan returns the file offset and length of a sealed credential of
// the account with record id (the shared record for ""), found by its
// bytes in the file.
func (v *Vault) RecordSpan(id string) (off, n int64, ok bool) {
	return v.sealedSpan(func(tx *bolt.Tx) []byte {
		if id == sharedID {
			_, val := tx.Bucket(bucketShared).Cursor().First()
			return val
		}
		t := recordTag(v.lookup, id)
		k, val := tx.Bucket(bucketRecords).Cursor().Seek(t[:])
		if k == nil || !bytes.HasPrefix(k, t[:]) {
			return nil
		}
		return val
	})
}

// SummarySpan returns the file offset and length of the sealed summary of
// the account with record id.
func (v *Vault) SummarySpan(id string) (off, n int64, ok bool) {
	return v.sealedSpan(func(tx *bolt.Tx) []byte {
		t := recordTag(v.lookup, id)
		return tx.Bucket(bucketAccounts).Get(t[:])
	})
}

// ManifestSpan returns the file offset and length of the sealed manifest.
func (v *Vault) ManifestSpan() (off, n int64, ok bool) {
	return v.sealedSpan(func(tx *bolt.Tx) []byte { return tx.Bucket(bucketMeta).Get(metaManifest) })
}

// sealedSpan locates the value find returns in the file on disk.
func (v *Vault) sealedSpan(find func(tx *bolt.Tx) []byte) (off, n int64, ok bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	var val []byte
	err := v.txStore(context.Background(), false, func(tx *bolt.Tx) error {
		val = bytes.Clone(find(tx))
		return nil
	})
	if err != nil || len(val) == 0 {
		return 0, 0, false
	}
	file, err := os.ReadFile(v.dbPath)
	if err != nil {
		return 0, 0, false
	}
	i := bytes.Index(file, val)
	return int64(i), int64(len(val)), i >= 0
}

// SplitForTest is splitCache.
var SplitForTest = splitCache

// CheckRecords decrypts every record of the file, without parsing them.
func (v *Vault) CheckRecords(ctx context.Context) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	kind, err := v.kindOf()
	if err != nil || kind == kindNone {
		return err
	}
	return v.txStore(ctx, false, func(tx *bolt.Tx) error {
		_, _, err := v.loadStore(tx, nil)
		return err
	})
}

// SetStoreFormat rewrites the format mark of a format 3 file, as a newer
// acctui might.
func SetStoreFormat(path, format string) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{NoFreelistSync: noFreelistSync})
	if err != nil {
		return err
	}
	defer db.Close()
	return db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(metaFormat, []byte(format)) })
}

// SetMaxImportSize lowers the import size limit until restore is called.
func SetMaxImportSize(n int64) (restore func()) {
	old := maxImportSize
	maxImportSize = n
	return func() { maxImportSize = old }
}
