package vault

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
)

// bbolt follows page pointers recursively and trusts them: a branch page
// pointing back at itself or an ancestor makes it recurse until the Go
// stack overflows, which is fatal, not a panic that guarded can recover.
// bbolt's own Check recurses the same way. Checking every tree would cost
// a read of every page on every command, so checkRootTrees walks the two
// trees every command descends first and that are a few pages at any
// vault size: the root bucket (which locates the others) and the acctui
// bucket (format, key id, manifest). A cycle there, the only place one
// could also stop `vault reset` (which reads the key id), becomes
// ErrCorrupt. The accounts, records, names and shared trees are checked
// by pathguard.go, page by page as operations are about to follow them.

const (
	pageBranch   = 0x01
	pageLeaf     = 0x02
	bucketLeaf   = 0x01 // leaf element flag: the value is a bucket
	maxTreeDepth = 32   // far deeper than a tree of 2^40 pages
	// maxRootTreePages bounds the walk; the two trees take a few pages.
	maxRootTreePages = 64
)

// checkRootTrees walks the root bucket's tree from page root and the tree
// of the acctui bucket it holds, with a bound on depth and pages and every
// page visited once. hwm is the number of pages in the file.
func (v *Vault) checkRootTrees(f *os.File, pageSize, hwm, root int64) error {
	w := treeWalk{f: f, pageSize: pageSize, hwm: hwm, seen: map[int64]bool{}}
	var meta int64
	err := w.walk(root, 0, func(key, value []byte) {
		if bytes.Equal(key, bucketMeta) && len(value) >= 8 {
			meta = int64(binary.LittleEndian.Uint64(value))
		}
	})
	if err == nil && meta != 0 { // 0: an inline bucket, inside its parent's page
		err = w.walk(meta, 0, nil)
	}
	if err != nil {
		return v.damaged(err)
	}
	return nil
}

// treeWalk is one walk of page trees over a file.
type treeWalk struct {
	f        *os.File
	pageSize int64
	hwm      int64
	seen     map[int64]bool
}

// walk visits the tree under page id, handing each bucket element of its
// leaves (key, bucket header) to bucket when that is not nil.
func (w *treeWalk) walk(id int64, depth int, bucket func(key, value []byte)) error {
	switch {
	case id < 2 || id >= w.hwm:
		return fmt.Errorf("a page pointer (%d) out of range", id)
	case w.seen[id]:
		return fmt.Errorf("page %d is reached twice (a page pointer cycle)", id)
	case depth > maxTreeDepth || len(w.seen) >= maxRootTreePages:
		return fmt.Errorf("the tree under page %d is deeper or larger than any acctui writes", id)
	}
	w.seen[id] = true
	hdr := make([]byte, 16)
	if _, err := w.f.ReadAt(hdr, id*w.pageSize); err != nil {
		return fmt.Errorf("page %d: %v", id, err)
	}
	flags, count, overflow := binary.LittleEndian.Uint16(hdr[8:]), int64(binary.LittleEndian.Uint16(hdr[10:])), int64(binary.LittleEndian.Uint32(hdr[12:]))
	if int64(binary.LittleEndian.Uint64(hdr)) != id || id+overflow >= w.hwm || overflow > maxRootTreePages {
		return fmt.Errorf("page %d is not one", id)
	}
	if flags != pageBranch && flags != pageLeaf {
		return fmt.Errorf("page %d has type %#x where a branch or leaf page belongs", id, flags)
	}
	page := make([]byte, (overflow+1)*w.pageSize)
	if _, err := w.f.ReadAt(page, id*w.pageSize); err != nil {
		return fmt.Errorf("page %d: %v", id, err)
	}
	if 16+count*16 > int64(len(page)) {
		return fmt.Errorf("page %d lists more elements than it holds", id)
	}
	for i := range count {
		e := page[16+i*16:]
		if flags == pageBranch {
			if err := w.walk(int64(binary.LittleEndian.Uint64(e[8:])), depth+1, bucket); err != nil {
				return err
			}
			continue
		}
		if bucket == nil || binary.LittleEndian.Uint32(e)&bucketLeaf == 0 {
			continue
		}
		pos, ksize, vsize := int64(binary.LittleEndian.Uint32(e[4:])), int64(binary.LittleEndian.Uint32(e[8:])), int64(binary.LittleEndian.Uint32(e[12:]))
		start := 16 + i*16 + pos
		if start+ksize+vsize > int64(len(page)) {
			return fmt.Errorf("page %d: an element runs past the page", id)
		}
		bucket(page[start:start+ksize], page[start+ksize:start+ksize+vsize])
	}
	return nil
}
