package vault

import (
	"fmt"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// A write compacts the file when its free pages pass both bounds: at least
// compactMinFree bytes and more than compactRatio of the file. bbolt reuses
// free pages, so a file only shrinks this way, and compaction also drops
// what freed pages still held (summaries of removed accounts included).
const (
	compactMinFree = 1 << 20
	compactRatio   = 0.5
)

// freeBytes is the size of the free pages of an open file, whose free
// list bbolt has loaded (a writable open, or PreLoadFreelist).
func freeBytes(db *bolt.DB) int64 {
	st := db.Stats()
	return int64(st.FreePageN+st.PendingPageN) * int64(db.Info().PageSize)
}

// maybeCompact compacts the file db has open when it is past the
// threshold. The caller holds the lock file and db's exclusive lock, so no
// writer can come between the copy and the rename; a reader that opened
// the old file meanwhile reads the same content from it.
func (v *Vault) maybeCompact(db *bolt.DB) error {
	info, err := os.Stat(v.dbPath)
	if err != nil {
		return nil
	}
	free := freeBytes(db)
	if free < compactMinFree || float64(free) <= compactRatio*float64(info.Size()) {
		return nil
	}
	return v.compact(db)
}

// compact copies db into a new file and renames it over the vault.
func (v *Vault) compact(db *bolt.DB) error {
	if err := v.guardFile(db); err != nil {
		return err
	}
	dir := filepath.Dir(v.dbPath)
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("vault: compact: %w", err)
	}
	tmp := f.Name()
	f.Close()
	dst, err := bolt.Open(tmp, 0o600, v.storeOptions(0))
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("vault: compact: %w", err)
	}
	err = bolt.Compact(dst, db, 0)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, v.dbPath)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("vault: compact: %w", err)
	}
	return syncDir(dir)
}
