package vault

import (
	"encoding/binary"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// scanBucket calls fn with every key and value of bucket in key order,
// reading the bucket's pages with pread as the guard checks them rather
// than through bbolt's memory map. A listing of 50 000 accounts reads
// pages spread over a file of hundreds of megabytes: through the map each
// fault also maps the neighbouring pages the kernel has cached, which
// counted 360 MB into the process's resident memory; pread copies only
// the pages asked for into one reused buffer. key and val are only valid
// during the call. An inline bucket, or any bucket with the guard off, is
// scanned with bbolt's cursor.
func (v *Vault) scanBucket(tx *bolt.Tx, bucket []byte, fn func(key, val []byte) error) error {
	b := tx.Bucket(bucket)
	if b == nil {
		return nil
	}
	g := v.guardOf(tx)
	root := uint64(0)
	if !pathGuardOff {
		var err error
		if root, err = g.root(bucket); err != nil {
			return v.guardError(err)
		}
	}
	if root == 0 {
		if err := v.guardBucket(tx, bucket); err != nil {
			return err
		}
		c := b.Cursor()
		for k, val := c.First(); k != nil; k, val = c.Next() {
			if err := fn(k, val); err != nil {
				return err
			}
		}
		return nil
	}
	if err := g.scan(root, 0, 0, nil, nil, 0, fn); err != nil {
		if stop, ok := errors.AsType[scanStop](err); ok {
			return stop.err
		}
		return v.guardError(fmt.Errorf("bucket %s: %w", bucket, err))
	}
	g.whole[string(bucket)] = true
	return nil
}

// scanStop carries fn's own error out of a scan, apart from damage.
type scanStop struct{ err error }

func (s scanStop) Error() string { return s.err.Error() }

// scan checks the tree under page id as walkAll does and calls fn with
// each element of its leaves, in order.
func (g *pathGuard) scan(id, parent uint64, index int, lo, hi []byte, depth int, fn func(key, val []byte) error) error {
	if depth > maxTreeDepth {
		return fmt.Errorf("the tree under page %d is deeper than any acctui writes", id)
	}
	p, err := g.page(id, parent, index, lo, hi)
	if err != nil {
		return err
	}
	if !p.leaf {
		for i, child := range p.children {
			clo, chi := p.bounds(i, hi)
			if err := g.scan(child, id, i, clo, chi, depth+1, fn); err != nil {
				return err
			}
		}
		return nil
	}
	buf, err := g.leaf(id)
	if err != nil {
		return err
	}
	for i := range p.count {
		// page checked every element's bounds
		at := 16 + 16*i
		e := buf[at:]
		pos, ksize, vsize := int(binary.LittleEndian.Uint32(e[4:])), int(binary.LittleEndian.Uint32(e[8:])), int(binary.LittleEndian.Uint32(e[12:]))
		kv := buf[at+pos : at+pos+ksize+vsize]
		if err := fn(kv[:ksize:ksize], kv[ksize:]); err != nil {
			return scanStop{err}
		}
	}
	return nil
}

// leaf returns the bytes of leaf page id, checked by page: the scratch
// buffer when it was the last page read, else read again (a page an
// earlier walk of this transaction checked).
func (g *pathGuard) leaf(id uint64) ([]byte, error) {
	if g.lastID == id {
		return g.scratch, nil
	}
	if g.scratch == nil {
		g.scratch = make([]byte, g.ps)
	}
	if _, err := g.file.ReadAt(g.scratch[:g.ps], int64(id)*g.ps); err != nil {
		return nil, fmt.Errorf("page %d: %v", id, err)
	}
	overflow := int64(binary.LittleEndian.Uint32(g.scratch[12:]))
	if need := (overflow + 1) * g.ps; overflow > 0 {
		if int64(len(g.scratch)) < need {
			g.scratch = append(g.scratch[:g.ps], make([]byte, need-g.ps)...)
		}
		if _, err := g.file.ReadAt(g.scratch[:need], int64(id)*g.ps); err != nil {
			return nil, fmt.Errorf("page %d: %v", id, err)
		}
	}
	g.lastID = id
	return g.scratch, nil
}
