package vault

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"os"
	"slices"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// What the guard reads first in a transaction: the meta page and free list
// of the version of the file the transaction sees.

// fileView is the version of the file a transaction sees: the same file
// (not one renamed over it), not written since (a commit changes its
// modification time and meta page) and the same meta page. Transactions
// of one view share what they verified: `acctui token` resolves a name in
// one and reads in the next.
type fileView struct {
	info      os.FileInfo
	txid      uint64
	root      uint64
	viewBytes int64
}

// same reports whether two views are one.
func (a fileView) same(b fileView) bool {
	return a.info != nil && b.info != nil && os.SameFile(a.info, b.info) && a.info.ModTime().Equal(b.info.ModTime()) &&
		a.info.Size() == b.info.Size() && a.txid == b.txid && a.root == b.root && a.viewBytes == b.viewBytes
}

// root returns the root page of bucket, 0 for an inline bucket (kept in
// its parent's page, which checkRootTrees walked) or one the file lacks
// (its caller says whether that is damage), reading the meta page and
// free list of the transaction the first time a page is needed.
func (g *pathGuard) root(bucket []byte) (uint64, error) {
	b := g.tx.Bucket(bucket)
	if b == nil || b.Root() == 0 {
		return 0, nil
	}
	root := uint64(b.Root())
	if g.roots == nil {
		if err := g.load(); err != nil {
			return 0, err
		}
	}
	return root, nil
}

// load reads the transaction's meta page and free list, and notes the
// root page of every bucket: no child pointer may name one. A transaction
// of the same view as the one before takes over what that one verified.
func (g *pathGuard) load() error {
	if g.file == nil {
		return fmt.Errorf("vault: internal error: the file of a transaction is unknown")
	}
	info, err := g.file.Stat()
	if err != nil {
		return err
	}
	want := uint64(g.tx.ID())
	if g.tx.Writable() {
		want-- // a write transaction's id is the next one
	}
	g.view = fileView{info: info, txid: want, root: uint64(g.tx.Cursor().Bucket().Root()), viewBytes: g.tx.Size()}
	prev := g.prev
	g.prev = nil
	if prev != nil && prev.roots != nil && prev.view.same(g.view) {
		g.ps, g.hwm, g.free, g.roots, g.pages, g.whole = prev.ps, prev.hwm, prev.free, prev.roots, prev.pages, prev.whole
		return nil
	}
	g.ps = int64(g.tx.DB().Info().PageSize)
	meta := make([]byte, 2*g.ps)
	if _, err := g.file.ReadAt(meta, 0); err != nil {
		return fmt.Errorf("the meta pages: %v", err)
	}
	var freelist uint64
	found := false
	for _, m := range [][]byte{meta[:g.ps], meta[g.ps:]} {
		h := fnv.New64a()
		h.Write(m[16:72])
		if binary.LittleEndian.Uint32(m[16:]) == 0xED0CDAED && h.Sum64() == binary.LittleEndian.Uint64(m[72:]) &&
			binary.LittleEndian.Uint64(m[64:]) == want {
			found, freelist, g.hwm = true, binary.LittleEndian.Uint64(m[48:]), binary.LittleEndian.Uint64(m[56:])
			if binary.LittleEndian.Uint64(m[32:]) != uint64(g.tx.Cursor().Bucket().Root()) {
				return fmt.Errorf("the meta page names another root page than bbolt read")
			}
		}
	}
	if !found || g.hwm*uint64(g.ps) != uint64(g.tx.Size()) || g.hwm > 1<<40 {
		return fmt.Errorf("no meta page matches the transaction")
	}
	if freelist != ^uint64(0) { // bbolt's mark of an unsynced free list
		free, err := readFreeList(g.file, g.ps, int64(g.hwm)*g.ps, int64(freelist))
		if err != nil {
			return err
		}
		if !slices.IsSorted(free) {
			slices.Sort(free)
		}
		g.free = free
	}
	g.roots = map[uint64]string{uint64(g.tx.Cursor().Bucket().Root()): "the root bucket"}
	err = g.tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		root := uint64(b.Root())
		if root == 0 {
			return nil
		}
		if other, ok := g.roots[root]; ok {
			return fmt.Errorf("bucket %s has the root page of %s", name, other)
		}
		g.roots[root] = "bucket " + string(name)
		return nil
	})
	if err != nil {
		g.roots = nil
	}
	return err
}

// readFreeList reads the free page ids of a synced free list at page
// freelist of a file whose pages end at need, checking each is a page.
func readFreeList(f *os.File, pageSize, need, freelist int64) ([]uint64, error) {
	if freelist < 2 || freelist*pageSize >= need {
		return nil, fmt.Errorf("the free list page is out of range")
	}
	hdr := make([]byte, 24)
	if _, err := f.ReadAt(hdr, freelist*pageSize); err != nil {
		return nil, fmt.Errorf("the free list page: %v", err)
	}
	flags, count, overflow := binary.LittleEndian.Uint16(hdr[8:]), uint64(binary.LittleEndian.Uint16(hdr[10:])), int64(binary.LittleEndian.Uint32(hdr[12:]))
	if binary.LittleEndian.Uint64(hdr) != uint64(freelist) || flags != 0x10 || (freelist+overflow+1)*pageSize > need {
		return nil, fmt.Errorf("the free list page is not one")
	}
	start := int64(16)
	if count == 0xFFFF {
		count, start = binary.LittleEndian.Uint64(hdr[16:]), 24
	}
	if count > uint64((overflow+1)*pageSize-start)/8 {
		return nil, fmt.Errorf("the free list is longer than its pages")
	}
	raw := make([]byte, count*8)
	if _, err := f.ReadAt(raw, freelist*pageSize+start); err != nil {
		return nil, fmt.Errorf("the free list page: %v", err)
	}
	ids := make([]uint64, count)
	for i := range ids {
		id := binary.LittleEndian.Uint64(raw[i*8:])
		if id < 2 || id*uint64(pageSize) >= uint64(need) {
			return nil, fmt.Errorf("the free list names a page out of range")
		}
		ids[i] = id
	}
	return ids, nil
}

// isFree reports whether a page of the run first..last is free.
func (g *pathGuard) isFree(first, last uint64) bool {
	i := sort.Search(len(g.free), func(i int) bool { return g.free[i] >= first })
	return i < len(g.free) && g.free[i] <= last
}
