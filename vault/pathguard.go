package vault

import (
	"bytes"
	"fmt"
	"os"
	"slices"

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
// transaction verified is kept until it ends, and passed on to the next
// transaction that sees the same version of the file (fileView), so
// repeated lookups cost a walk through checked pages in memory.

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
	// lastID is the page scratch holds while it is the last page read
	// (0: none), for a scan that wants the leaf it just checked.
	lastID uint64
	reads  int // pages read, for tests
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
// prefix (or equal to it), and the commit after them, follow. It checks
// what a scan would too: a later scan in the transaction runs through the
// nodes in memory, and where these deletes emptied them, on past them.
func (v *Vault) guardWrite(tx *bolt.Tx, bucket, prefix []byte) error {
	return v.guardRange(tx, bucket, prefix, prefixEnd(prefix), true, true)
}

// guardBucket checks every page of bucket, for a scan of all of it.
func (v *Vault) guardBucket(tx *bolt.Tx, bucket []byte) error {
	return v.guardTree(tx, bucket, func(g *pathGuard, root uint64) error {
		if err := g.walkAll(root, 0, 0, nil, nil, 0); err != nil {
			return err
		}
		g.whole[string(bucket)] = true
		return nil
	})
}

// guardTree runs walk over bucket's tree from its root page, unless the
// guard is off, the bucket is inline or missing, or this transaction has
// checked all of it; walk's error is damage.
func (v *Vault) guardTree(tx *bolt.Tx, bucket []byte, walk func(g *pathGuard, root uint64) error) error {
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
	if err := walk(g, root); err != nil {
		return v.guardError(fmt.Errorf("bucket %s: %w", bucket, err))
	}
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
	return v.guardTree(tx, bucket, func(g *pathGuard, root uint64) error {
		r := rangeWalk{g: g, from: from, end: end, scan: scan, write: write}
		_, err := r.walk(root, 0, 0, nil, nil, 0)
		return err
	})
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
	for _, b := range [][]byte{bucketRecords, bucketListing} {
		if err := v.guardWrite(tx, b, t[:]); err != nil {
			return err
		}
	}
	return v.guardWrite(tx, bucketAccounts, t[:])
}
