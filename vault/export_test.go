package vault

import "context"

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

// HeaderSize is the size of the file header.
const HeaderSize = headerSize

// RecordSpan returns the file offset and length of the record with id in
// the current file.
func (v *Vault) RecordSpan(id string) (off, n int64, ok bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.snap == nil || !v.snap.exists {
		return 0, 0, false
	}
	ref, ok := v.snap.idx.find(recordTag(v.lookup, id))
	return v.snap.base + ref.off, ref.len, ok
}

// SplitForTest is splitCache.
var SplitForTest = splitCache

// CheckRecords rereads the file if it changed and decrypts every record,
// without parsing them.
func (v *Vault) CheckRecords(ctx context.Context) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if err := v.refresh(ctx); err != nil {
		return err
	}
	if !v.snap.exists {
		return nil
	}
	for i := range v.snap.idx.nrec {
		if _, err := v.record(v.snap.idx.record(i)); err != nil {
			return err
		}
	}
	return nil
}

// DirectorySpan returns the file offset and length of the sealed directory
// in the current file.
func (v *Vault) DirectorySpan() (off, n int64, ok bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.snap == nil || !v.snap.exists || v.snap.idx.version != formatVersion {
		return 0, 0, false
	}
	return v.snap.base + v.snap.idx.dir.off, v.snap.idx.dir.len, true
}

// SetMaxImportSize lowers the import size limit until restore is called.
func SetMaxImportSize(n int64) (restore func()) {
	old := maxImportSize
	maxImportSize = n
	return func() { maxImportSize = old }
}
