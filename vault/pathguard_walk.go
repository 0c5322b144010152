package vault

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"
)

// How the guard checks a page and walks the parts of a tree an operation
// follows (pathguard.go).

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
	g.reads++
	g.lastID = 0
	if g.scratch == nil {
		g.scratch = make([]byte, g.ps)
	}
	buf := g.scratch[:g.ps]
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
	} else {
		g.lastID = id
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
