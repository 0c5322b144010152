package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// pending is one record of the file about to be written: new content to
// seal, or an old record whose ciphertext is copied as it is.
type pending struct {
	tag   tag
	id    string    // known for new and loaded records (and in version 1)
	plain []byte    // new content; nil when copied
	old   recordRef // the old record, when there is one
	has   bool      // old is set
}

// save writes the cache whose fragments are frags. With only == nil frags
// is the whole cache; otherwise it is what the shared record and the record
// *only were loaded into, plus entries fn may have added to other accounts,
// which are merged into their records. The caller holds the lock.
//
// It works by tag, so a write that adds no account, removes none and
// changes no account's summary (a refresh, discovery metadata) neither
// decrypts nor re-seals the directory.
func (v *Vault) save(ctx context.Context, only *string, frags map[string][]byte) error {
	if !v.snap.exists && len(frags) == 0 {
		return nil // nothing to keep, and no file to replace
	}
	dk, gen, err := v.writeKey(ctx)
	if err != nil {
		return err
	}
	recs := map[tag]*pending{}
	if v.snap.exists {
		for i := range v.snap.idx.nrec {
			ref := v.snap.idx.record(i)
			recs[ref.tag] = &pending{tag: ref.tag, id: ref.id, old: ref, has: true}
		}
	}
	shared := recordTag(v.lookup, sharedID)
	var onlyTag tag
	if only != nil {
		onlyTag = recordTag(v.lookup, *only)
	}
	loaded := func(t tag) bool { return only == nil || t == shared || t == onlyTag }
	fragTags := make(map[tag]string, len(frags))
	for id := range frags {
		fragTags[recordTag(v.lookup, id)] = id
	}
	newDirectory := false // accounts come or go, or a summary changes
	for t := range recs {
		if _, ok := fragTags[t]; !ok && loaded(t) {
			// fn emptied or removed it; the record numbers in the name
			// table shift, even when it was the shared record
			delete(recs, t)
			newDirectory = true
		}
	}
	for t, id := range fragTags {
		frag := frags[id]
		p := recs[t]
		if p == nil {
			recs[t] = &pending{tag: t, id: id, plain: frag}
			newDirectory = true
			continue
		}
		p.id = id
		if !loaded(t) {
			// fn added entries to an account it was not given: merge them
			// with what the record already holds.
			if frag, err = v.mergeInto(p.old, id, frag); err != nil {
				return err
			}
		}
		if t != shared && !newDirectory && !v.sameSummary(p.old, frag) {
			newDirectory = true
		}
		p.plain = frag
	}
	list := slices.SortedFunc(maps.Values(recs), func(a, b *pending) int { return bytes.Compare(a.tag[:], b.tag[:]) })
	return v.writeVault(dk, gen, list, newDirectory)
}

// sameSummary reports whether an old record, decrypted in memory, has the
// AccountSummary that frag has.
func (v *Vault) sameSummary(old recordRef, frag []byte) bool {
	p, ok := v.plain[old.tag]
	if !ok || p.nonce != old.nonce {
		return false
	}
	if bytes.Equal(p.data, frag) {
		return true
	}
	a, okA := summarize(p.data)
	b, okB := summarize(frag)
	return okA == okB && slices.Equal(a.Usernames, b.Usernames) && a.HomeAccountID == b.HomeAccountID &&
		slices.Equal(a.Environments, b.Environments) && slices.Equal(a.Realms, b.Realms)
}

// mergeInto unites a record's stored entries with new ones (the new win)
// and returns the record's canonical fragment.
func (v *Vault) mergeInto(ref recordRef, id string, frag []byte) ([]byte, error) {
	stored, err := v.record(ref)
	if err != nil {
		return nil, err
	}
	doc, err := mergeFragments([][]byte{stored, frag})
	if err != nil {
		return nil, err
	}
	parts, err := splitCache(doc)
	if err != nil {
		return nil, err
	}
	return parts[id], nil
}

// writeKey returns the key and generation of the next file: the current
// ones, or for a new vault a fresh key, stored in the keyring before any
// file refers to it.
func (v *Vault) writeKey(ctx context.Context) (dataKey, uint64, error) {
	if v.snap.exists {
		return *v.key, v.snap.hdr.generation + 1, nil
	}
	key, id := newKey()
	dk := dataKey{id: id, key: key}
	if err := v.keys.put(ctx, dk); err != nil {
		return dataKey{}, 0, err
	}
	if err := v.useKey(dk); err != nil {
		return dataKey{}, 0, err
	}
	return dk, 1, nil
}

// writeVault seals and writes a vault file holding recs (sorted by tag)
// and makes it the current snapshot. A record whose new content equals what
// it held keeps its ciphertext and nonce (unless the old file is version 1,
// whose records are bound to their ids: those are sealed again), and so
// does the directory unless newDirectory. The file is laid out first and
// built in one buffer; runs of copied records are read from the old file
// with one read each, straight into place.
func (v *Vault) writeVault(dk dataKey, gen uint64, recs []*pending, newDirectory bool) error {
	aead, err := newAEAD(dk.key)
	if err != nil {
		return err
	}
	hdr := header{version: formatVersion, keyID: dk.id, generation: gen, indexNonce: newNonce()}
	identity := hdr.marshal()[:identitySize]
	canCopy := v.snap.exists && v.snap.hdr.version == formatVersion

	refs := make([]recordRef, len(recs))
	olds := make([]recordRef, len(recs)) // the old place of a copied record
	fresh := make([][]byte, len(recs))   // new plaintexts, sealed in place; nil for a copy
	sealed := map[tag]plainRecord{}
	var size int64
	for n, p := range recs {
		ref := recordRef{tag: p.tag, off: size}
		if canCopy && p.has && (p.plain == nil || v.samePlain(p.old, p.plain)) {
			ref.len, ref.nonce, olds[n] = p.old.len, p.old.nonce, p.old
		} else {
			plain := p.plain
			if plain == nil { // a version 1 record, sealed again
				if plain, err = v.record(p.old); err != nil {
					return err
				}
			}
			ref.nonce = newNonce()
			fresh[n] = plain
			ref.len = int64(len(plain) + aead.Overhead())
			sealed[ref.tag] = plainRecord{nonce: ref.nonce, data: plain}
		}
		refs[n] = ref
		size += ref.len
	}

	var names []nameRef
	var entries []dirEntry
	var summaries []AccountSummary
	var dir recordRef
	var dirSealed []byte
	if newDirectory || !canCopy {
		if entries, names, err = v.newDirectory(recs); err != nil {
			return err
		}
		dirJSON, err := marshalDirectory(entries)
		if err != nil {
			return err
		}
		dir.nonce = newNonce()
		dirSealed = aead.Seal(nil, dir.nonce[:], dirJSON, directoryAAD(identity))
		dir.len = int64(len(dirSealed))
	} else {
		// the same records under the same tags: the names and the
		// directory stay as they are
		names, entries, summaries = v.snap.idx.names(), v.snap.idx.entries, v.snap.idx.summaries
		dir.nonce, dir.len = v.snap.idx.dir.nonce, v.snap.idx.dir.len
	}
	dir.off = size
	table := marshalTable(size+dir.len, refs, names, dir)
	idx, err := parseTable(table, v.path)
	if err != nil {
		return err // a bug: what was just laid out does not check
	}
	idx.entries, idx.summaries = entries, summaries

	hdr.indexLen = uint32(len(table) + aead.Overhead())
	hdrRaw := hdr.marshal()
	base := int64(headerSize) + int64(hdr.indexLen)
	file := make([]byte, base+idx.size)
	copy(file, hdrRaw)
	aead.Seal(file[headerSize:headerSize], hdr.indexNonce[:], table, indexAAD(hdrRaw))
	if err := v.fillRecords(file[base:], refs, olds, fresh, func(dst []byte, ref recordRef, plain []byte) {
		aead.Seal(dst[:0], ref.nonce[:], plain, recordAAD(identity, ref.tag[:]))
	}); err != nil {
		return err
	}
	if dirSealed != nil {
		copy(file[base+idx.dir.off:], dirSealed)
	} else if _, err := v.snap.f.ReadAt(file[base+idx.dir.off:], v.snap.base+v.snap.idx.dir.off); err != nil {
		return fmt.Errorf("%w: %s: copying the directory: %v", ErrCorrupt, v.path, err)
	}

	f, err := writeAtomic(v.path, file)
	if err != nil {
		return err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("vault: %w", err)
	}
	v.setSnapshot(&snapshot{exists: true, f: f, info: info, hdr: hdr, hdrRaw: hdrRaw, idx: idx, base: base})
	for t, p := range sealed {
		v.plain[t] = p
	}
	return nil
}

// newDirectory makes the directory and name table of recs (sorted by tag):
// summaries of new content, the old directory's entries for copies.
func (v *Vault) newDirectory(recs []*pending) ([]dirEntry, []nameRef, error) {
	old := map[tag]dirEntry{}
	if v.snap.exists {
		entries, err := v.directory()
		if err != nil {
			return nil, nil, err
		}
		for _, e := range entries {
			old[recordTag(v.lookup, e.ID)] = e
		}
	}
	shared := recordTag(v.lookup, sharedID)
	entries := make([]dirEntry, 0, len(recs))
	var names []nameRef
	for n, p := range recs {
		if p.tag == shared {
			continue
		}
		e, ok := old[p.tag]
		if p.plain != nil {
			e, ok = dirEntry{ID: p.id}, true
			if s, has := summarize(p.plain); has {
				b, err := json.Marshal(s)
				if err != nil {
					return nil, nil, fmt.Errorf("vault: directory: %w", err)
				}
				e.Account = b
			}
		}
		if !ok {
			return nil, nil, fmt.Errorf("%w: %s: a record is missing from the directory", ErrCorrupt, v.path)
		}
		entries = append(entries, e)
		if len(e.Account) > 0 {
			s, err := parseSummary(e.Account)
			if err != nil {
				return nil, nil, fmt.Errorf("%w: %s: directory entry %q: %v", ErrCorrupt, v.path, e.ID, err)
			}
			names = appendNames(names, v.lookup, uint32(n), s)
		}
	}
	slices.SortFunc(entries, func(a, b dirEntry) int { return strings.Compare(a.ID, b.ID) })
	return entries, sortNames(names), nil
}

// fillRecords puts the records into area: new plaintexts from fresh,
// sealed straight into place (no second copy of a large write), and
// copies (olds) read from the current file, a run of adjacent ones at a
// time.
func (v *Vault) fillRecords(area []byte, refs, olds []recordRef, fresh [][]byte, seal func(dst []byte, ref recordRef, plain []byte)) error {
	runStart, runOld, runLen := int64(0), int64(0), int64(0)
	flush := func() error {
		if runLen == 0 {
			return nil
		}
		_, err := v.snap.f.ReadAt(area[runStart:runStart+runLen], v.snap.base+runOld)
		runLen = 0
		if err != nil {
			return fmt.Errorf("%w: %s: copying records: %v", ErrCorrupt, v.path, err)
		}
		return nil
	}
	for i, ref := range refs {
		if fresh[i] != nil {
			if err := flush(); err != nil {
				return err
			}
			seal(area[ref.off:ref.off+ref.len], refs[i], fresh[i])
			continue
		}
		old := olds[i]
		if runLen > 0 && runOld+runLen == old.off && runStart+runLen == ref.off {
			runLen += ref.len
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		runStart, runOld, runLen = ref.off, old.off, old.len
	}
	return flush()
}

// samePlain reports whether the old record is known to hold plain.
func (v *Vault) samePlain(old recordRef, plain []byte) bool {
	p, ok := v.plain[old.tag]
	return ok && p.nonce == old.nonce && bytes.Equal(p.data, plain)
}
