package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// pending is one record of the file about to be written: new content to
// seal, or an old record whose ciphertext is copied as it is.
type pending struct {
	id    string
	plain []byte    // new content; nil when copied
	old   recordRef // the old record, when there is one
	has   bool      // old is set
}

// save writes the cache whose fragments are frags. With only == nil frags
// is the whole cache; otherwise it is what the shared record and the record
// *only were loaded into, plus entries fn may have added to other accounts,
// which are merged into their records. The caller holds the lock.
func (v *Vault) save(ctx context.Context, only *string, frags map[string][]byte) error {
	var old []recordRef
	if v.snap.exists {
		old = v.snap.idx.Records
	}
	recs := map[string]*pending{}
	for _, ref := range old {
		recs[ref.ID] = &pending{id: ref.ID, old: ref, has: true}
	}
	loaded := func(id string) bool { return only == nil || id == sharedID || id == *only }
	for id := range recs {
		if _, ok := frags[id]; !ok && loaded(id) {
			delete(recs, id) // fn emptied or removed it
		}
	}
	for id, frag := range frags {
		p := recs[id]
		if p == nil {
			recs[id] = &pending{id: id, plain: frag}
			continue
		}
		if !loaded(id) {
			// fn added entries to an account it was not given: merge them
			// with what the record already holds.
			merged, err := v.mergeInto(p.old, frag)
			if err != nil {
				return err
			}
			frag = merged
		}
		p.plain = frag
	}
	if !v.snap.exists && len(recs) == 0 {
		return nil // nothing to keep, and no file to replace
	}
	dk, gen, err := v.writeKey(ctx)
	if err != nil {
		return err
	}
	list := make([]*pending, 0, len(recs))
	for _, id := range slices.Sorted(maps.Keys(recs)) {
		list = append(list, recs[id])
	}
	return v.writeVault(dk, gen, list)
}

// mergeInto unites a record's stored entries with new ones (the new win)
// and returns the record's canonical fragment.
func (v *Vault) mergeInto(ref recordRef, frag []byte) ([]byte, error) {
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
	return parts[ref.ID], nil
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

// writeVault seals and writes a vault file holding recs (sorted by id) and
// makes it the current snapshot. A record whose new content equals what it
// held keeps its ciphertext and nonce. The file is laid out first and built
// in one buffer; runs of copied records are read from the old file with one
// read each, straight into place.
func (v *Vault) writeVault(dk dataKey, gen uint64, recs []*pending) error {
	aead, err := newAEAD(dk.key)
	if err != nil {
		return err
	}
	hdr := header{version: formatVersion, keyID: dk.id, generation: gen, indexNonce: newNonce()}
	identity := hdr.marshal()[:identitySize]

	refs := make([]recordRef, len(recs))
	fresh := make([][]byte, len(recs)) // new ciphertexts; nil for a copy
	sealed := map[string]plainRecord{}
	var size int64
	for i, p := range recs {
		ref := recordRef{ID: p.id, Off: size}
		if p.has && (p.plain == nil || v.samePlain(p.old, p.plain)) {
			ref.Len, ref.Nonce, ref.Account = p.old.Len, p.old.Nonce, p.old.Account
		} else {
			nonce := newNonce()
			fresh[i] = aead.Seal(nil, nonce[:], p.plain, recordAAD(identity, p.id))
			ref.Len, ref.Nonce = int64(len(fresh[i])), nonce[:]
			sealed[p.id] = plainRecord{nonce: ref.Nonce, data: p.plain}
			if p.id != sharedID {
				if s, ok := summarize(p.plain); ok {
					if ref.Account, err = json.Marshal(s); err != nil {
						return fmt.Errorf("vault: index: %w", err)
					}
				}
			}
		}
		refs[i] = ref
		size += ref.Len
	}
	idxJSON, err := marshalIndex(size, refs)
	if err != nil {
		return err
	}
	hdr.indexLen = uint32(len(idxJSON) + aead.Overhead())
	hdrRaw := hdr.marshal()
	base := int64(headerSize) + int64(hdr.indexLen)
	file := make([]byte, base+size)
	copy(file, hdrRaw)
	aead.Seal(file[headerSize:headerSize], hdr.indexNonce[:], idxJSON, indexAAD(hdrRaw))
	if err := v.fillRecords(file[base:], recs, refs, fresh); err != nil {
		return err
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
	idx := &index{Size: size, Records: refs}
	v.setSnapshot(&snapshot{exists: true, f: f, info: info, hdr: hdr, hdrRaw: hdrRaw, idx: idx, base: base})
	for id, p := range sealed {
		v.plain[id] = p
	}
	return nil
}

// fillRecords puts the records into area: new ciphertexts from fresh,
// copies read from the current file, a run of adjacent ones at a time.
func (v *Vault) fillRecords(area []byte, recs []*pending, refs []recordRef, fresh [][]byte) error {
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
			copy(area[ref.Off:], fresh[i])
			continue
		}
		old := recs[i].old
		if runLen > 0 && runOld+runLen == old.Off && runStart+runLen == ref.Off {
			runLen += ref.Len
			continue
		}
		if err := flush(); err != nil {
			return err
		}
		runStart, runOld, runLen = ref.Off, old.Off, old.Len
	}
	return flush()
}

// samePlain reports whether the old record is known to hold plain.
func (v *Vault) samePlain(old recordRef, plain []byte) bool {
	p, ok := v.plain[old.ID]
	return ok && bytes.Equal(p.nonce, old.Nonce) && bytes.Equal(p.data, plain)
}
