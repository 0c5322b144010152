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

// ensureDir makes the vault directory, 0700, if it is missing. An existing
// one that group or others may write to is tightened to 0700 (they could
// otherwise swap the vault file or plant a link as its lock file); when
// that fails, for instance because another user owns it, it is refused.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("vault: %s is not a directory", dir)
	}
	if !tightenable || st.Mode().Perm()&0o022 == 0 {
		return nil
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("vault: the vault directory %s is writable by other users (mode %#o) and could not be made 0700: %w; run chmod 700 on it or choose another directory",
			dir, st.Mode().Perm(), err)
	}
	return nil
}

// symlinkError refuses a vault file that is a symbolic link. Every write
// replaces the file by rename, which would replace the link with a regular
// file and leave its target stale, so a link is refused on reads and
// writes alike rather than followed sometimes.
func symlinkError(path string) error {
	return fmt.Errorf("vault: %s is a symbolic link; acctui replaces the vault file on every write and would break the link: set the vault directory to the directory the file is in instead", path)
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
	d, err := openFile(dir, os.O_RDONLY, 0)
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
	f, err := openFile(path, os.O_RDONLY, 0)
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
