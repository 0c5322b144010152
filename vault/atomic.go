package vault

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// tempPrefix starts the names of files a writer is still writing; a writer
// holding the lock removes the ones a killed writer left behind.
const tempPrefix = ".vault.acctui.tmp-"

// ensureDir makes the vault directory, 0700, if it is missing.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	return nil
}

// writeAtomic replaces path with data: a temporary file in the same
// directory is written, synced and renamed over path, then the directory is
// synced so the rename itself survives a power cut. The caller holds the
// lock. It returns the new file, open for reading: it is the snapshot the
// caller keeps.
func writeAtomic(path string, data []byte) (*os.File, error) {
	dir := filepath.Dir(path)
	removeStaleTemps(dir)
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("vault: write: %w", err)
	}
	fail := func(err error) (*os.File, error) {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("vault: write %s: %w", path, err)
	}
	if err := f.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fail(err)
	}
	if err := syncDir(dir); err != nil {
		// The new file is in place; only its durability is in doubt.
		f.Close()
		return nil, err
	}
	return f, nil
}

// removeStaleTemps deletes temporary files of writers that died. Only a
// lock holder writes temporary files, so under the lock every one is stale.
func removeStaleTemps(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// syncDir flushes a directory's entries to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("vault: sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("vault: sync %s: %w", dir, err)
	}
	return nil
}

// syncFile flushes a file and its directory entry to disk.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("vault: sync %s: %w", path, err)
	}
	err = f.Sync()
	f.Close()
	if err != nil {
		return fmt.Errorf("vault: sync %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}
