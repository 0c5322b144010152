package vault

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Format 3 keeps its bbolt database in vault.db and leaves at vault.acctui
// a stub: the format 1 and 2 header's magic with version 3, then a line for
// whoever opens it. acctui releases that read format 1 or 2 check the
// version before anything else and refuse a newer one untouched, saying a
// newer acctui wrote it, where a bbolt file at that name would have been
// "damaged, not an acctui vault file" to them, with `vault reset` as advice.
// A format 1 or 2 file at vault.acctui is the vault whatever vault.db holds:
// a conversion writes vault.db first and replaces the old file by the stub
// only once vault.db is durable, so a crash leaves the old or the new vault.

// DBFileName is the name of the format 3 database inside Options.Dir.
const DBFileName = "vault.db"

// stubText follows the stub's header.
const stubText = "\nacctui vault format 3: the vault is vault.db in this directory; keep this file beside it\n"

// stubBytes is the whole stub file.
func stubBytes() []byte {
	b := make([]byte, 12, 12+len(stubText))
	copy(b, magic)
	binary.BigEndian.PutUint16(b[8:], formatVersion3)
	return append(b, stubText...)
}

// isStub reports whether the first bytes of a file are a stub's header.
func isStub(b []byte) bool {
	return len(b) >= 10 && string(b[:len(magic)]) == magic && binary.BigEndian.Uint16(b[8:]) == formatVersion3
}

// readStart reads the first ten bytes of path (fewer when it is shorter);
// exists is false when there is no file.
func readStart(path string) (b []byte, exists bool, err error) {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("vault: %w", err)
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return nil, true, symlinkError(path)
	}
	if !st.Mode().IsRegular() {
		return nil, true, notRegularError(path, st.Mode())
	}
	f, err := openFile(path, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return nil, true, fmt.Errorf("vault: %w", err)
	}
	defer f.Close()
	b = make([]byte, 10)
	n, err := io.ReadFull(f, b)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, true, fmt.Errorf("vault: read %s: %w", path, err)
	}
	return b[:n], true, nil
}

// notRegularError refuses a vault path that holds a pipe, a device or a
// directory: opening a pipe to read it would wait for a writer for ever.
func notRegularError(path string, mode fs.FileMode) error {
	return fmt.Errorf("%w: %s is not a regular file (%v)", ErrCorrupt, path, mode.Type())
}

// dataPath is the file that holds the vault: vault.acctui when it is
// anything but a stub (a format 1 or 2 vault, or damage to report), else
// vault.db, also where a new vault goes.
func (v *Vault) dataPath() string {
	b, exists, err := readStart(v.path)
	if err != nil || exists && !isStub(b) {
		return v.path
	}
	return v.dbPath
}

// writeStub puts the stub at vault.acctui unless it is there: a temporary
// file, synced, renamed over it, the directory synced. The caller holds
// the lock file and has made vault.db durable.
func (v *Vault) writeStub() error {
	if b, err := os.ReadFile(v.path); err == nil && string(b) == string(stubBytes()) {
		return nil
	}
	dir := filepath.Dir(v.path)
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return fmt.Errorf("vault: write %s: %w", v.path, err)
	}
	tmp := f.Name()
	_, err = f.Write(stubBytes())
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o600)
	}
	if err == nil {
		err = os.Rename(tmp, v.path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("vault: write %s: %w", v.path, err)
	}
	return syncDir(dir)
}
