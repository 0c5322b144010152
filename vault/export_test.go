package vault

import (
	"bytes"
	"context"
	"errors"
	"os"

	bolt "go.etcd.io/bbolt"
)

// Decryptions returns how many indexes and records v has decrypted, so
// tests can tell what a read touched.
func (v *Vault) Decryptions() int64 { return v.decrypts.Load() }

// FileOpens returns how many times v opened the format 3 file.
func (v *Vault) FileOpens() int64 { return v.opens.Load() }

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

// DeleteGroupRecordForTest deletes one sealed record of the account with
// record id in realm's group straight from the file, as a damaged page
// that hides it would.
func (v *Vault) DeleteGroupRecordForTest(id, realm string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.txStore(context.Background(), true, func(tx *bolt.Tx) error {
		g := realmGroup(v.lookup, realm)
		acct := recordTag(v.lookup, id)
		prefix := append(acct[:], g[:]...)
		c := tx.Bucket(bucketRecords).Cursor()
		k, _ := c.Seek(prefix)
		if k == nil || !bytes.HasPrefix(k, prefix) {
			return errors.New("no record in that group")
		}
		return c.Delete()
	})
}

// UngroupForTest moves every record of the account with record id to the
// tag format 3 first gave it (its name's alone), leaving the summary as
// it is: what an acctui that knows no realm groups does when it rewrites
// the account's tokens without changing their number.
func (v *Vault) UngroupForTest(id string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.txStore(context.Background(), true, func(tx *bolt.Tx) error {
		a, err := v.findAccount(tx, id)
		if err != nil || a == nil {
			return errors.Join(err, errors.New("no such account"))
		}
		cs, err := v.accountCreds(tx, a)
		if err != nil {
			return err
		}
		aead, err := a.cipher()
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketRecords)
		for t, c := range cs {
			if err := b.Delete(recordKey3(a.tag, t)); err != nil {
				return err
			}
			k := recordKey3(a.tag, makeTag(v.lookup, "cred", c.name()))
			if err := b.Put(k, sealCred(aead, c, recordAAD3(k))); err != nil {
				return err
			}
		}
		return nil
	})
}

// KernelPut caches a key in the kernel keyring.
var KernelPut = kernelPut

// fragment renders credentials as a fragment in splitCache's form: what
// reads parsed before parseFragment, kept for the tests that compare.
func (cs creds) fragment() []byte {
	entries := map[string][]member{}
	var whole []member
	cs.appendTo(entries, &whole)
	return renderFragment(entries, whole)
}
