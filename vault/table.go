package vault

import (
	"bytes"
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash"
	"sort"
	"strings"
	"sync"
	"unicode"
)

// The version 2 index is a binary table, all integers big-endian:
//
//	offset size field
//	     0    8 record area size
//	     8    4 record count r
//	    12    4 name count m
//	    16    8 directory offset (in the record area)
//	    24    8 directory length
//	    32   12 directory nonce
//	    44 r×44 records, sorted by tag and laid out in that order:
//	            tag (16), offset (8), length (8), nonce (12)
//	     … m×20 names, sorted by tag then record: tag (16), record number (4)
//
// A record's tag is a keyed hash of its id and a name's tag a keyed hash of
// a home account id or username, case-folded; the key is derived from the
// data key, so the tags tell someone without the key nothing, and a reader
// finds an account by hashing what it was given. The directory follows the
// last record and ends the record area.
const (
	tagLen         = 16
	tableHeadSize  = 44
	tableRecordLen = tagLen + 8 + 8 + nonceSize
	tableNameLen   = tagLen + 4
)

// tag is a keyed hash naming a record or an account name.
type tag [tagLen]byte

// lookupKey derives the key of a vault's tags from its data key.
func lookupKey(dataKey []byte) []byte {
	m := hmac.New(sha256.New, dataKey)
	m.Write([]byte("acctui vault lookup key v2"))
	return m.Sum(nil)
}

// makeTag is the keyed hash of kind and s.
func makeTag(key []byte, kind, s string) tag {
	m := taggers.Get().(*tagger)
	defer taggers.Put(m)
	if m.h == nil || !bytes.Equal(m.key, key) {
		m.key = append(m.key[:0], key...)
		m.h = hmac.New(sha256.New, m.key)
	} else {
		m.h.Reset()
	}
	m.h.Write([]byte(kind))
	m.h.Write([]byte{0})
	m.h.Write([]byte(s))
	var t tag
	copy(t[:], m.h.Sum(m.sum[:0]))
	return t
}

// tagger is an HMAC kept for its key: Reset starts from the keyed state,
// where hmac.New hashes the key's pads again (an import makes 100 000
// tags; hmac.New was a tenth of its time).
type tagger struct {
	key []byte
	h   hash.Hash
	sum [sha256.Size]byte
}

var taggers = sync.Pool{New: func() any { return new(tagger) }}

// recordTag names the record with id.
func recordTag(key []byte, id string) tag { return makeTag(key, "record", id) }

// nameTag names an account by a home account id or username; names equal
// under strings.EqualFold get the same tag.
func nameTag(key []byte, name string) tag { return makeTag(key, "name", foldName(name)) }

// foldName maps every rune to the smallest rune of its simple case-folding
// orbit: two strings are equal under strings.EqualFold exactly when their
// folds are equal.
func foldName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		low := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			low = min(low, f)
		}
		b.WriteRune(low)
	}
	return b.String()
}

// recordRef locates one sealed record (or the directory) in the record area.
type recordRef struct {
	tag   tag
	id    string // the record id where the format binds it (version 1)
	off   int64
	len   int64
	nonce [nonceSize]byte
}

// nameRef says that record number record is an account with a name of tag.
type nameRef struct {
	tag    tag
	record uint32
}

// marshalTable encodes a version 2 index. records must be sorted by tag
// and names by tag and record.
func marshalTable(size int64, records []recordRef, names []nameRef, dir recordRef) []byte {
	b := make([]byte, 0, tableHeadSize+len(records)*tableRecordLen+len(names)*tableNameLen)
	b = binary.BigEndian.AppendUint64(b, uint64(size))
	b = binary.BigEndian.AppendUint32(b, uint32(len(records)))
	b = binary.BigEndian.AppendUint32(b, uint32(len(names)))
	b = binary.BigEndian.AppendUint64(b, uint64(dir.off))
	b = binary.BigEndian.AppendUint64(b, uint64(dir.len))
	b = append(b, dir.nonce[:]...)
	for _, r := range records {
		b = append(b, r.tag[:]...)
		b = binary.BigEndian.AppendUint64(b, uint64(r.off))
		b = binary.BigEndian.AppendUint64(b, uint64(r.len))
		b = append(b, r.nonce[:]...)
	}
	for _, n := range names {
		b = append(b, n.tag[:]...)
		b = binary.BigEndian.AppendUint32(b, n.record)
	}
	return b
}

// parseTable checks a version 2 index and returns it, reading entries
// from b itself rather than copying them out: with a thousand accounts the
// copies cost more page faults than the lookup. Records must be sorted by
// tag, unique and back to back in that order inside the record area, the
// directory after them; names sorted and naming existing records.
func parseTable(b []byte, path string) (*index, error) {
	bad := func(format string, args ...any) (*index, error) {
		return nil, fmt.Errorf("%w: %s: index: %s", ErrCorrupt, path, fmt.Sprintf(format, args...))
	}
	if len(b) < tableHeadSize {
		return bad("%d bytes", len(b))
	}
	be := binary.BigEndian
	size := be.Uint64(b)
	nrec, nname := uint64(be.Uint32(b[8:])), uint64(be.Uint32(b[12:]))
	if uint64(len(b)) != tableHeadSize+nrec*tableRecordLen+nname*tableNameLen {
		return bad("%d bytes for %d records and %d names", len(b), nrec, nname)
	}
	if size > 1<<62 {
		return bad("record area size %d", size)
	}
	idx := &index{version: formatVersion, size: int64(size), table: b, nrec: int(nrec), nname: int(nname)}
	// inArea checks that a span starts at or after from and ends inside
	// the area, without overflowing.
	inArea := func(off, n, from uint64) bool { return off >= from && n >= tagSize && n <= size && off <= size-n }
	var end uint64
	for i := range idx.nrec {
		p := idx.recordBytes(i)
		off, n := be.Uint64(p[tagLen:]), be.Uint64(p[tagLen+8:])
		if !inArea(off, n, end) {
			return bad("record %d out of range", i)
		}
		if i > 0 && bytes.Compare(idx.recordBytes(i - 1)[:tagLen], p[:tagLen]) >= 0 {
			return bad("records out of order")
		}
		end = off + n
	}
	dirOff, dirLen := be.Uint64(b[16:]), be.Uint64(b[24:])
	if !inArea(dirOff, dirLen, end) || dirOff+dirLen != size {
		return bad("directory out of range")
	}
	idx.dir = recordRef{off: int64(dirOff), len: int64(dirLen)}
	copy(idx.dir.nonce[:], b[32:])
	for i := range idx.nname {
		n := idx.name(i)
		if uint64(n.record) >= nrec {
			return bad("name %d names no record", i)
		}
		if i > 0 && compareNames(idx.name(i-1), n) >= 0 {
			return bad("names out of order")
		}
	}
	return idx, nil
}

// compareNames orders names by tag, then record.
func compareNames(a, b nameRef) int {
	if c := bytes.Compare(a.tag[:], b.tag[:]); c != 0 {
		return c
	}
	return cmp.Compare(a.record, b.record)
}

// recordBytes is record entry i of the table.
func (idx *index) recordBytes(i int) []byte {
	off := tableHeadSize + i*tableRecordLen
	return idx.table[off : off+tableRecordLen]
}

// record decodes record entry i.
func (idx *index) record(i int) recordRef {
	p := idx.recordBytes(i)
	r := recordRef{off: int64(binary.BigEndian.Uint64(p[tagLen:])), len: int64(binary.BigEndian.Uint64(p[tagLen+8:]))}
	copy(r.tag[:], p)
	copy(r.nonce[:], p[tagLen+16:])
	r.id = idx.v1IDs[r.tag]
	return r
}

// name decodes name entry i.
func (idx *index) name(i int) nameRef {
	off := tableHeadSize + idx.nrec*tableRecordLen + i*tableNameLen
	var n nameRef
	copy(n.tag[:], idx.table[off:])
	n.record = binary.BigEndian.Uint32(idx.table[off+tagLen:])
	return n
}

// find returns the record with tag t.
func (idx *index) find(t tag) (recordRef, bool) {
	i := sort.Search(idx.nrec, func(i int) bool { return bytes.Compare(idx.recordBytes(i)[:tagLen], t[:]) >= 0 })
	if i == idx.nrec || !bytes.Equal(idx.recordBytes(i)[:tagLen], t[:]) {
		return recordRef{}, false
	}
	return idx.record(i), true
}

// named returns the numbers of the records that have a name of tag t.
func (idx *index) named(t tag) []uint32 {
	i := sort.Search(idx.nname, func(i int) bool {
		n := idx.name(i)
		return bytes.Compare(n.tag[:], t[:]) >= 0
	})
	var out []uint32
	for ; i < idx.nname && idx.name(i).tag == t; i++ {
		out = append(out, idx.name(i).record)
	}
	return out
}
