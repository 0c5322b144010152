package vault

import (
	"bytes"
	"encoding/binary"
	"slices"
	"unsafe"

	"acctui/overview"
)

// The encoding of a group: a table of the distinct strings its entries
// use (an account's home id, cloud, tenant and client repeat across its
// entries), then per entry its credential tag, its kind, eight indexes
// into the table and two numbers. The cache key is not kept: it is made
// from the fields when a tie needs it. A listing kept whole strings
// before; this is under half the size, so a listing reads half the pages.
//
// EachOverview keeps the entries of an account it has read in the same
// encoding without the tags, all groups of the account in one table.
var factKinds = []overview.Kind{overview.KindAccount, overview.KindAccess, overview.KindRefresh, overview.KindID}

// encodeFacts encodes a group: its entries by credential tag.
func encodeFacts(m map[tag]overview.Entry) []byte {
	tags := make([]tag, 0, len(m))
	for t := range m {
		tags = append(tags, t)
	}
	slices.SortFunc(tags, func(a, b tag) int { return bytes.Compare(a[:], b[:]) })
	entries := make([]overview.Entry, len(tags))
	for i, t := range tags {
		entries[i] = m[t]
	}
	return appendEntries(nil, tags, entries)
}

// packEntries encodes entries without tags, for EachOverview to keep.
func packEntries(entries []overview.Entry) []byte { return appendEntries(nil, nil, entries) }

// appendEntries appends the encoding of entries to dst, each after its
// tag when tags is not nil.
func appendEntries(dst []byte, tags []tag, entries []overview.Entry) []byte {
	// An account's entries use a dozen strings or so: a scan of the
	// table beats a map until it grows.
	var index map[string]int
	table := make([]string, 0, 16)
	ref := func(s string) int {
		if index == nil {
			for i, t := range table {
				// entries walked from one group share their strings
				if len(t) == len(s) && (unsafe.StringData(t) == unsafe.StringData(s) || t == s) {
					return i
				}
			}
			if len(table) == 32 {
				index = make(map[string]int, 64)
				for i, t := range table {
					index[t] = i
				}
			}
		} else if i, ok := index[s]; ok {
			return i
		}
		if index != nil {
			index[s] = len(table)
		}
		table = append(table, s)
		return len(table) - 1
	}
	var body []byte
	for i := range entries {
		e := &entries[i]
		if tags != nil {
			body = append(body, tags[i][:]...)
		}
		body = append(body, byte(slices.Index(factKinds, e.Kind)))
		for _, s := range []string{e.HomeAccountID, e.Environment, e.Realm, e.ClientID, e.Target, e.FamilyID, e.Username, e.Name} {
			body = binary.AppendUvarint(body, uint64(ref(s)))
		}
		body = binary.AppendVarint(body, e.ExpiresOn)
		body = binary.AppendVarint(body, e.Modified)
	}
	// sized to fit (no room for growth): EachOverview keeps 50 000
	size := uvarintLen(uint64(len(table))) + len(body)
	for _, s := range table {
		size += uvarintLen(uint64(len(s))) + len(s)
	}
	out := slices.Grow(dst, size)
	out = binary.AppendUvarint(out, uint64(len(table)))
	for _, s := range table {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	return append(out, body...)
}

// uvarintLen is the length of x's uvarint encoding.
func uvarintLen(x uint64) int {
	n := 1
	for ; x >= 0x80; x >>= 7 {
		n++
	}
	return n
}

// walkFacts calls fn with each entry of a group's plaintext; false when
// it is not one.
func walkFacts(plain []byte, fn func(t tag, e overview.Entry)) bool {
	return walkEntries(plain, true, fn)
}

// walkEntries calls fn with each entry of an encoding, with or without
// tags (the tag is zero without); false when b is not one. The entries'
// strings are slices of b, which the caller hands over: freshly
// decrypted or encoded memory nothing writes again, so it becomes a
// string without a copy (listing 10 000 accounts copied 8 MB here).
func walkEntries(b []byte, tagged bool, fn func(t tag, e overview.Entry)) bool {
	if len(b) == 0 {
		return true
	}
	s := unsafe.String(&b[0], len(b))
	r := entryReader{b: b}
	n, ok := r.uvarint()
	if !ok || n > uint64(len(b)) {
		return false
	}
	var small [24]string
	table := small[:0]
	if n > uint64(len(small)) {
		table = make([]string, 0, n)
	}
	for range n {
		l, ok := r.uvarint()
		if !ok || l > uint64(len(b)-r.i) {
			return false
		}
		table = append(table, s[r.i:r.i+int(l)])
		r.i += int(l)
	}
	tagSize := 0
	if tagged {
		tagSize = tagLen
	}
	for r.i < len(b) {
		var t tag
		var e overview.Entry
		if len(b)-r.i < tagSize+1 || int(b[r.i+tagSize]) >= len(factKinds) {
			return false
		}
		copy(t[:tagSize], b[r.i:])
		e.Kind = factKinds[b[r.i+tagSize]]
		r.i += tagSize + 1
		ok := r.str(table, &e.HomeAccountID) && r.str(table, &e.Environment) && r.str(table, &e.Realm) &&
			r.str(table, &e.ClientID) && r.str(table, &e.Target) && r.str(table, &e.FamilyID) &&
			r.str(table, &e.Username) && r.str(table, &e.Name) && r.varint(&e.ExpiresOn) && r.varint(&e.Modified)
		if !ok {
			return false
		}
		fn(t, e)
	}
	return true
}

// entryReader reads the numbers of an encoding from b at i.
type entryReader struct {
	b []byte
	i int
}

func (r *entryReader) uvarint() (uint64, bool) {
	if r.i < len(r.b) && r.b[r.i] < 0x80 { // most are one byte
		r.i++
		return uint64(r.b[r.i-1]), true
	}
	n, k := binary.Uvarint(r.b[r.i:])
	if k <= 0 {
		return 0, false
	}
	r.i += k
	return n, true
}

// str sets *dst to the table's string the next number names.
func (r *entryReader) str(table []string, dst *string) bool {
	if r.i < len(r.b) && r.b[r.i] < 0x80 && int(r.b[r.i]) < len(table) { // one byte, the usual case
		*dst = table[r.b[r.i]]
		r.i++
		return true
	}
	n, ok := r.uvarint()
	if !ok || n >= uint64(len(table)) {
		return false
	}
	*dst = table[n]
	return true
}

func (r *entryReader) varint(dst *int64) bool {
	x, k := binary.Varint(r.b[r.i:])
	if k <= 0 {
		return false
	}
	*dst = x
	r.i += k
	return true
}
