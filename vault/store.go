package vault

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"runtime/debug"
	"syscall"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Format 3 is a bbolt file (store3.go describes its buckets). These are
// the helpers that open it for one call and turn bbolt's failures, panics
// included, into the vault's errors.

// formatVersion3 is the format written since issue 15.
const formatVersion3 = 3

// noFreelistSync is bbolt's NoFreelistSync. The free list is synced: with
// it unsynced every writable open rebuilds it by walking the whole tree
// (79 ms against 23 ms per refresh at 10 000 accounts, for 28 KB written
// against 31 KB), and a damaged page makes that walk panic in a goroutine
// of bbolt's own, which no recover reaches and which ends the process.
const noFreelistSync = false

// fileKind says what holds the vault.
type fileKind int

const (
	kindNone   fileKind = iota // no file yet
	kindLegacy                 // vault.acctui is a format 1 or 2 file ("ACCTUIVT" header)
	kindStore                  // vault.db, a format 3 bbolt file (stub.go)
)

// kindOf looks at the first bytes of vault.acctui and, when it is a stub
// or absent, at vault.db. An empty file is damage, not a new vault: bbolt
// would initialise it on a writable open. vault.db without a stub is a
// vault whose first write died before the stub was written; a stub
// without vault.db is damage.
func (v *Vault) kindOf() (fileKind, error) {
	b, exists, err := readStart(v.path)
	if err != nil {
		return kindNone, err
	}
	stub := exists && isStub(b)
	if exists && !stub {
		if len(b) == 0 {
			return kindNone, fmt.Errorf("%w: %s is empty; run %s to start a new vault (the file is kept)", ErrCorrupt, v.path, v.opts.reset())
		}
		if n := min(len(b), len(magic)); string(b[:n]) == magic[:n] {
			return kindLegacy, nil
		}
		return kindNone, fmt.Errorf("%w: %s is not an acctui vault file; run %s to move it aside and start a new vault", ErrCorrupt, v.path, v.opts.reset())
	}
	st, err := os.Lstat(v.dbPath)
	if errors.Is(err, fs.ErrNotExist) {
		if stub {
			return kindNone, fmt.Errorf("%w: %s says the vault is in %s, which is missing; restore it, or run %s to start a new vault", ErrCorrupt, v.path, v.dbPath, v.opts.reset())
		}
		return kindNone, nil
	}
	if err != nil {
		return kindNone, fmt.Errorf("vault: %w", err)
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return kindNone, symlinkError(v.dbPath)
	}
	if !st.Mode().IsRegular() {
		return kindNone, notRegularError(v.dbPath, st.Mode())
	}
	f, err := openFile(v.dbPath, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return kindNone, fmt.Errorf("vault: %w", err)
	}
	defer f.Close()
	if st.Size() == 0 {
		return kindNone, fmt.Errorf("%w: %s is empty; run %s to start a new vault (the file is kept)", ErrCorrupt, v.dbPath, v.opts.reset())
	}
	if err := v.checkMeta(f, st.Size()); err != nil {
		return kindNone, err
	}
	return kindStore, nil
}

// checkMeta validates what bbolt reads while it opens a file, before it
// does: bbolt maps the file and would fault on pages past a truncated end,
// and a damaged free list page makes it panic after it took its lock and
// mapped the file, and the mapping holds the lock until the process ends.
// It refuses a file shorter than its newest valid meta page says, whose
// root trees are damaged (pagewalk.go), or whose free list page is not one.
func (v *Vault) checkMeta(f *os.File, size int64) error {
	page := int64(os.Getpagesize())
	buf := make([]byte, 2*page)
	n, _ := f.ReadAt(buf, 0)
	buf = buf[:n]
	var need, pageSize, freelist, root int64
	var txid uint64
	found := false
	for _, off := range []int64{0, page} {
		m := buf[min(off, int64(len(buf))):]
		if len(m) < 80 || binary.LittleEndian.Uint32(m[16:]) != 0xED0CDAED {
			continue
		}
		h := fnv.New64a()
		h.Write(m[16:72])
		if h.Sum64() != binary.LittleEndian.Uint64(m[72:]) {
			continue
		}
		ps, pgid := int64(binary.LittleEndian.Uint32(m[24:])), binary.LittleEndian.Uint64(m[56:])
		if pgid > 1<<40 || ps < 512 || ps > 1<<20 {
			return v.damaged("meta page out of range")
		}
		if tx := binary.LittleEndian.Uint64(m[64:]); !found || tx > txid {
			found, txid, pageSize = true, tx, ps
			need, freelist = int64(pgid)*ps, int64(binary.LittleEndian.Uint64(m[48:]))
			root = int64(binary.LittleEndian.Uint64(m[32:]))
		}
	}
	if !found {
		return nil // bbolt says what is wrong
	}
	if need > size {
		return v.damaged(fmt.Sprintf("truncated (%d bytes, its pages end at %d)", size, need))
	}
	if err := v.checkRootTrees(f, pageSize, need/pageSize, root); err != nil {
		return err
	}
	if freelist == -1 { // no synced free list
		return nil
	}
	if _, err := readFreeList(f, pageSize, need, freelist); err != nil {
		return v.damaged(err)
	}
	return nil
}

// damaged wraps a failure of the file's structure in ErrCorrupt, naming
// the way out.
func (v *Vault) damaged(what any) error {
	return fmt.Errorf("%w: %s: %v; run %s to move it aside and start a new vault", ErrCorrupt, v.dbPath, what, v.opts.reset())
}

// openStore opens the format 3 file with bbolt's own lock: shared for
// reading, exclusive for writing, waiting at most Options.LockTimeout.
// Writers take the vault's lock file first and readers never do, so the
// two locks cannot deadlock. preload makes bbolt find the free pages of
// a read-only open (for Status).
func (v *Vault) openStore(ctx context.Context, write, preload bool) (db *bolt.DB, err error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	var file *os.File
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if file != nil {
				file.Close() // releases bbolt's flock, which the panic skipped
			}
			db, err = nil, v.damaged(r)
		}
	}()
	var size int64
	if st, err := os.Stat(v.dbPath); err == nil && write {
		size = st.Size()
	}
	opts := &bolt.Options{
		InitialMmapSize: mapSize(size),
		Timeout:         v.opts.LockTimeout,
		NoFreelistSync:  noFreelistSync,
		FreelistType:    bolt.FreelistMapType,
		ReadOnly:        !write,
		PreLoadFreelist: preload,
		OpenFile: func(name string, flag int, mode os.FileMode) (*os.File, error) {
			f, err := openFile(name, flag&^os.O_CREATE|oNoFollow, mode)
			file = f
			return f, err
		},
	}
	db, err = bolt.Open(v.dbPath, 0o600, opts)
	switch {
	case err == nil:
		v.opens.Add(1)
		v.guard.opened(db, file)
		return db, nil
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("%w: %s is held by another acctui process (waited %s)", ErrLocked, v.dbPath, v.opts.LockTimeout)
	case errors.Is(err, syscall.ELOOP):
		return nil, symlinkError(v.dbPath)
	case errors.Is(err, bolterrors.ErrVersionMismatch):
		return nil, fmt.Errorf("%w: %s has a storage version this acctui does not read (a newer acctui wrote it?)", ErrUnsupportedVersion, v.dbPath)
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("vault: %w", err)
	default:
		return nil, v.damaged(err)
	}
}

// guarded runs fn, turning a bbolt panic (a damaged page can make it
// index out of range) into ErrCorrupt. Faults become panics too: a page
// pointer past the end of a truncated file faults in the mapping.
func (v *Vault) guarded(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = v.damaged(r)
		}
	}()
	return fn()
}

// view runs fn in a read transaction of the format 3 file.
func (v *Vault) view(ctx context.Context, fn func(tx *bolt.Tx) error) error {
	db, err := v.openStore(ctx, false, false)
	if err != nil {
		return err
	}
	defer db.Close()
	return v.guarded(func() error { return db.View(fn) })
}
