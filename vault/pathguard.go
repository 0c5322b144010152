package vault

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"os"
	"slices"
	"sort"

	bolt "go.etcd.io/bbolt"
)

// bbolt follows a bucket's page pointers without checking them: a branch
// page whose child pointer names itself or an ancestor makes a lookup
// recurse until the Go stack overflows (fatal, no recover reaches it) and
// a cursor's First or Next grow its stack until memory runs out.
// checkRootTrees covers the few pages every command reads first; the
// guard here covers the large buckets, and only the pages an operation
// will follow, so `acctui token` reads a handful of pages at any vault
// size:
//
//   - a lookup of one key (Get): the pages bbolt's search visits;
//   - a prefix scan (Seek, then Next while the prefix holds): every child
//     whose key range meets the prefix's, and the pages Next visits after
//     them up to the first key past the prefix;
//   - a write (Put, Delete): the same, and the siblings at each level that
//     a commit's rebalance may merge with;
//   - a full scan (First, Next to the end; compaction): every page.
//
// Each page is read with pread through the file bbolt has open, in the
// transaction's view (bbolt holds the file lock: shared while reading,
// exclusive while writing, and a write transaction changes the file only
// when it commits; until then its nodes keep the child pointers of the
// pages they were read from). A page must lie below the high water mark,
// not be on the free list, have its own id and a branch or leaf type, keys
// sorted and inside the range its parent gives it, and be reached from one
// parent only: a pointer cycle reaches some page a second time. What a
// transaction verified is kept until it ends, so repeated lookups cost a
// walk through checked pages in memory.

// pathGuardOff turns the guard off, for benchmarks that measure its cost.
var pathGuardOff = false

// guardState is the Vault's part: the bbolt file opened last (openStore)
// and the guard of the transaction being run. The Vault's mutex covers it.
type guardState struct {
	db    *bolt.DB
	file  *os.File // the file db has open, locked
	guard *pathGuard
}

// opened records the file of a database openStore opened.
func (s *guardState) opened(db *bolt.DB, file *os.File) { s.db, s.file = db, file }

// pathGuard is what one transaction has verified.
type pathGuard struct {
	tx      *bolt.Tx
	file    *os.File   // nil until a page is read
	prev    *pathGuard // the guard before, until load
	view    fileView
	ps      int64    // page size
	hwm     uint64   // pages in the transaction's view
	free    []uint64 // free page ids, sorted
	roots   map[uint64]string
	pages   map[uint64]*checkedPage
	whole   map[string]bool // buckets walked whole
	scratch []byte          // a page being checked
	reads   int             // pages read, for tests
}

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

// checkedPage is a verified branch or leaf page.
type checkedPage struct {
	parent   uint64 // 0 for a bucket's root page
	index    int    // its element in parent
	leaf     bool
	count    int
	keys     [][]byte // a branch's keys, one per child
	children []uint64
	last     []byte // a leaf's last key
}

// guardKey checks the pages a Get of key in bucket follows.
func (v *Vault) guardKey(tx *bolt.Tx, bucket, key []byte) error {
	return v.guardRange(tx, bucket, key, append(slices.Clip(key), 0), false, false)
}

// guardPrefix checks the pages a Seek to prefix and Next while keys have
// it follow.
func (v *Vault) guardPrefix(tx *bolt.Tx, bucket, prefix []byte) error {
	return v.guardRange(tx, bucket, prefix, prefixEnd(prefix), true, false)
}

// guardWrite checks the pages that Puts and Deletes of keys starting with
// prefix (or equal to it), and the commit after them, follow.
func (v *Vault) guardWrite(tx *bolt.Tx, bucket, prefix []byte) error {
	return v.guardRange(tx, bucket, prefix, prefixEnd(prefix), true, true)
}

// guardBucket checks every page of bucket, for a scan of all of it.
func (v *Vault) guardBucket(tx *bolt.Tx, bucket []byte) error {
	if pathGuardOff {
		return nil
	}
	g := v.guardOf(tx)
	if g.whole[string(bucket)] {
		return nil
	}
	root, err := g.root(bucket)
	if err != nil || root == 0 {
		return v.guardError(err)
	}
	if err := g.walkAll(root, 0, 0, nil, nil, 0); err != nil {
		return v.guardError(fmt.Errorf("bucket %s: %w", bucket, err))
	}
	g.whole[string(bucket)] = true
	return nil
}

// guardFile checks every page of every bucket of db, before compaction
// copies them all.
func (v *Vault) guardFile(db *bolt.DB) error {
	if pathGuardOff {
		return nil
	}
	return v.guarded(func() error {
		return db.View(func(tx *bolt.Tx) error {
			return tx.ForEach(func(name []byte, _ *bolt.Bucket) error { return v.guardBucket(tx, name) })
		})
	})
}

// guardRange checks the pages an operation on the keys from from up to
// end (nil: the end of the bucket) follows: scan adds the pages Next
// visits to reach the first key at or past end, write the siblings a
// rebalance may merge.
func (v *Vault) guardRange(tx *bolt.Tx, bucket, from, end []byte, scan, write bool) error {
	if pathGuardOff {
		return nil
	}
	g := v.guardOf(tx)
	if g.whole[string(bucket)] {
		return nil
	}
	root, err := g.root(bucket)
	if err != nil || root == 0 {
		return v.guardError(err)
	}
	r := rangeWalk{g: g, from: from, end: end, scan: scan, write: write}
	if _, err := r.walk(root, 0, 0, nil, nil, 0); err != nil {
		return v.guardError(fmt.Errorf("bucket %s: %w", bucket, err))
	}
	return nil
}

// guardError is err as the vault's damage error.
func (v *Vault) guardError(err error) error {
	if err == nil {
		return nil
	}
	return v.damaged(err)
}

// guardOf returns the guard of tx, making it on first use.
func (v *Vault) guardOf(tx *bolt.Tx) *pathGuard {
	if g := v.guard.guard; g != nil && g.tx == tx {
		return g
	}
	prev := v.guard.guard
	if prev != nil && prev.roots == nil {
		prev = prev.prev // it read nothing: hand on the one before
	}
	g := &pathGuard{tx: tx, prev: prev, pages: map[uint64]*checkedPage{}, whole: map[string]bool{}}
	if tx.DB() == v.guard.db {
		g.file = v.guard.file
	}
	v.guard.guard = g
	return g
}

// prefixEnd is the first key after every key that starts with prefix, or
// nil when there is none.
func prefixEnd(prefix []byte) []byte {
	end := bytes.Clone(prefix)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] != 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

// root returns the root page of bucket, 0 for an inline bucket (kept in
// its parent's page, which checkRootTrees walked), reading the meta page
// and free list of the transaction the first time a page is needed.
func (g *pathGuard) root(bucket []byte) (uint64, error) {
	b := g.tx.Bucket(bucket)
	if b == nil {
		return 0, fmt.Errorf("no %s bucket", bucket)
	}
	root := uint64(b.Root())
	if root == 0 {
		return 0, nil
	}
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

// page returns page id, the child at index of parent (0: a bucket's root),
// whose keys must lie in [lo, hi) (nil: unbounded), checking it the first
// time it is reached.
func (g *pathGuard) page(id, parent uint64, index int, lo, hi []byte) (*checkedPage, error) {
	if p := g.pages[id]; p != nil {
		if p.parent != parent || p.index != index {
			return nil, fmt.Errorf("page %d is reached twice (a page pointer cycle)", id)
		}
		return p, nil
	}
	if id < 2 || id >= g.hwm {
		return nil, fmt.Errorf("a page pointer (%d) past the end of the file", id)
	}
	if name, ok := g.roots[id]; ok && parent != 0 {
		return nil, fmt.Errorf("page %d points at page %d, the root of %s (a page pointer cycle)", parent, id, name)
	}
	if g.scratch == nil {
		g.scratch = make([]byte, g.ps)
	}
	buf := g.scratch[:g.ps]
	g.reads++
	if _, err := g.file.ReadAt(buf, int64(id)*g.ps); err != nil {
		return nil, fmt.Errorf("page %d: %v", id, err)
	}
	flags, count, overflow := binary.LittleEndian.Uint16(buf[8:]), int(binary.LittleEndian.Uint16(buf[10:])), uint64(binary.LittleEndian.Uint32(buf[12:]))
	switch {
	case binary.LittleEndian.Uint64(buf) != id || id+overflow >= g.hwm:
		return nil, fmt.Errorf("page %d is not one", id)
	case g.isFree(id, id+overflow):
		return nil, fmt.Errorf("page %d points at page %d, which is free", parent, id)
	case flags != pageBranch && flags != pageLeaf:
		return nil, fmt.Errorf("page %d has type %#x where a branch or leaf page belongs", id, flags)
	case flags == pageBranch && count == 0:
		return nil, fmt.Errorf("branch page %d is empty", id)
	}
	if overflow > 0 {
		if need := int64(overflow+1) * g.ps; int64(len(g.scratch)) < need {
			g.scratch = make([]byte, need)
		}
		buf = g.scratch[:int64(overflow+1)*g.ps]
		if _, err := g.file.ReadAt(buf, int64(id)*g.ps); err != nil {
			return nil, fmt.Errorf("page %d: %v", id, err)
		}
	}
	if flags == pageBranch {
		buf = bytes.Clone(buf) // a branch's keys are kept
	}
	p := &checkedPage{parent: parent, index: index, leaf: flags == pageLeaf, count: count}
	if err := p.parse(id, buf, lo, hi); err != nil {
		return nil, err
	}
	g.pages[id] = p
	return p, nil
}

// parse reads a page's elements: inside the page, keys ascending within
// [lo, hi), no nested buckets (acctui makes none).
func (p *checkedPage) parse(id uint64, buf, lo, hi []byte) error {
	if 16+16*p.count > len(buf) {
		return fmt.Errorf("page %d lists more elements than it holds", id)
	}
	if !p.leaf {
		p.keys, p.children = make([][]byte, 0, p.count), make([]uint64, 0, p.count)
	}
	var prev []byte
	for i := range p.count {
		at := 16 + 16*i
		e := buf[at:]
		var pos, ksize, size int
		if p.leaf {
			if binary.LittleEndian.Uint32(e)&bucketLeaf != 0 {
				return fmt.Errorf("page %d holds a nested bucket", id)
			}
			pos, ksize = int(binary.LittleEndian.Uint32(e[4:])), int(binary.LittleEndian.Uint32(e[8:]))
			size = ksize + int(binary.LittleEndian.Uint32(e[12:]))
		} else {
			pos, ksize = int(binary.LittleEndian.Uint32(e)), int(binary.LittleEndian.Uint32(e[4:]))
			size = ksize
		}
		if pos < 0 || size < 0 || at+pos+size > len(buf) || at+pos+size < at {
			return fmt.Errorf("page %d: an element runs past the page", id)
		}
		key := buf[at+pos : at+pos+ksize]
		if i == 0 && lo != nil && bytes.Compare(key, lo) < 0 || i > 0 && bytes.Compare(key, prev) <= 0 || hi != nil && bytes.Compare(key, hi) >= 0 {
			return fmt.Errorf("page %d: its keys are out of order", id)
		}
		prev = key
		if !p.leaf {
			p.keys = append(p.keys, key)
			p.children = append(p.children, binary.LittleEndian.Uint64(e[8:]))
		}
	}
	if p.leaf && prev != nil {
		p.last = bytes.Clone(prev)
	}
	return nil
}

// bounds is the key range of child i of a branch whose own range ends at
// hi.
func (p *checkedPage) bounds(i int, hi []byte) (lo, childHi []byte) {
	if i+1 < len(p.keys) {
		return p.keys[i], p.keys[i+1]
	}
	return p.keys[i], hi
}

// span is the children of a branch whose ranges meet [from, end): the one
// bbolt's search picks for from (the last key at or below it, else the
// first) to the last whose key is below end.
func (p *checkedPage) span(from, end []byte) (first, last int) {
	first = sort.Search(len(p.keys), func(i int) bool { return bytes.Compare(p.keys[i], from) > 0 }) - 1
	first = max(first, 0)
	last = len(p.keys) - 1
	if end != nil {
		last = sort.Search(len(p.keys), func(i int) bool { return bytes.Compare(p.keys[i], end) >= 0 }) - 1
	}
	return first, max(first, last)
}

// walkAll checks the tree under page id.
func (g *pathGuard) walkAll(id, parent uint64, index int, lo, hi []byte, depth int) error {
	if depth > maxTreeDepth {
		return fmt.Errorf("the tree under page %d is deeper than any acctui writes", id)
	}
	p, err := g.page(id, parent, index, lo, hi)
	if err != nil {
		return err
	}
	for i, child := range p.children {
		clo, chi := p.bounds(i, hi)
		if err := g.walkAll(child, id, i, clo, chi, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// rangeWalk checks the pages of one operation on the keys [from, end).
type rangeWalk struct {
	g         *pathGuard
	from, end []byte
	scan      bool // Next runs on to the first key at or past end
	write     bool // a commit may merge each node with a sibling
}

// walk checks the part of the tree under page id the operation follows.
// It reports whether a key at or past end was among what it checked: a
// scan stops there, else it goes on into the next subtree.
func (r *rangeWalk) walk(id, parent uint64, index int, lo, hi []byte, depth int) (bool, error) {
	if depth > maxTreeDepth {
		return false, fmt.Errorf("the tree under page %d is deeper than any acctui writes", id)
	}
	p, err := r.g.page(id, parent, index, lo, hi)
	if err != nil {
		return false, err
	}
	if p.leaf {
		return p.count > 0 && r.end != nil && bytes.Compare(p.last, r.end) >= 0, nil
	}
	first, last := p.span(r.from, r.end)
	if r.write {
		for _, i := range []int{first - 1, last + 1} {
			if i >= 0 && i < len(p.children) {
				clo, chi := p.bounds(i, hi)
				if _, err := r.g.page(p.children[i], id, i, clo, chi); err != nil {
					return false, err
				}
			}
		}
	}
	past := false
	for i := first; i <= last; i++ {
		clo, chi := p.bounds(i, hi)
		found, err := r.walk(p.children[i], id, i, clo, chi, depth+1)
		if err != nil {
			return false, err
		}
		past = past || found
	}
	for i := last + 1; r.scan && !past && i < len(p.children); i++ {
		clo, chi := p.bounds(i, hi)
		if past, err = r.g.walkFirst(p.children[i], id, i, clo, chi, depth+1); err != nil {
			return false, err
		}
	}
	return past, nil
}

// walkFirst checks the pages from page id down to its first non-empty
// leaf, where Next arrives from the subtree before it, and reports
// whether there is one.
func (g *pathGuard) walkFirst(id, parent uint64, index int, lo, hi []byte, depth int) (bool, error) {
	if depth > maxTreeDepth {
		return false, fmt.Errorf("the tree under page %d is deeper than any acctui writes", id)
	}
	p, err := g.page(id, parent, index, lo, hi)
	if err != nil || p.leaf {
		return err == nil && p.count > 0, err
	}
	for i, child := range p.children {
		clo, chi := p.bounds(i, hi)
		found, err := g.walkFirst(child, id, i, clo, chi, depth+1)
		if err != nil || found {
			return found, err
		}
	}
	return false, nil
}

// guardNames checks the pages the name changes of a write follow.
func (v *Vault) guardNames(tx *bolt.Tx, ops nameOps) error {
	for k := range ops {
		if err := v.guardWrite(tx, bucketNames, []byte(k)); err != nil {
			return err
		}
	}
	return nil
}

// guardRemoval checks the pages removing account t follows: its records
// and its summary.
func (v *Vault) guardRemoval(tx *bolt.Tx, t tag) error {
	if err := v.guardWrite(tx, bucketRecords, t[:]); err != nil {
		return err
	}
	return v.guardWrite(tx, bucketAccounts, t[:])
}
