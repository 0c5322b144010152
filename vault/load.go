package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"acctui/engine/cache"
)

// refresh makes snap the file on disk, reading it again only when it
// changed: another inode (a writer renamed a new file over it), or a new
// size or modification time. Holding the old file open keeps its inode from
// being reused, so the comparison cannot be fooled by recycling.
func (v *Vault) refresh(ctx context.Context) error {
	st, err := os.Lstat(v.path)
	if errors.Is(err, fs.ErrNotExist) {
		if v.snap == nil || v.snap.exists {
			v.setSnapshot(&snapshot{})
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return symlinkError(v.path)
	}
	if s := v.snap; s != nil && s.exists && os.SameFile(st, s.info) &&
		st.Size() == s.info.Size() && st.ModTime().Equal(s.info.ModTime()) {
		return nil
	}
	f, err := os.OpenFile(v.path, os.O_RDONLY|oNoFollow, 0)
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	snap, err := v.readSnapshot(ctx, f)
	if err != nil {
		f.Close()
		return err
	}
	v.setSnapshot(snap)
	return nil
}

// readSnapshot reads and checks the header, unlocks the key and decrypts
// the index of an open vault file.
func (v *Vault) readSnapshot(ctx context.Context, f *os.File) (*snapshot, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	raw := make([]byte, headerSize)
	n, err := f.ReadAt(raw, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("vault: read %s: %w", v.path, err)
	}
	hdr, err := parseHeader(raw[:n], v.path)
	if err != nil {
		return nil, err
	}
	base := int64(headerSize) + int64(hdr.indexLen)
	if base > info.Size() {
		return nil, fmt.Errorf("%w: %s is truncated (%d bytes, the index ends at %d)", ErrCorrupt, v.path, info.Size(), base)
	}
	if err := v.unlock(ctx, hdr.keyID); err != nil {
		return nil, err
	}
	sealed := make([]byte, hdr.indexLen)
	if _, err := f.ReadAt(sealed, headerSize); err != nil {
		return nil, fmt.Errorf("vault: read %s: %w", v.path, err)
	}
	plain, err := v.aead.Open(sealed[:0], hdr.indexNonce[:], sealed, indexAAD(raw))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: the index fails authentication", ErrCorrupt, v.path)
	}
	v.decrypts.Add(1)
	var idx *index
	if hdr.version == formatVersion1 {
		idx, err = parseIndexV1(plain, v.path, v.lookup)
	} else {
		idx, err = parseTable(plain, v.path)
	}
	if err != nil {
		return nil, err
	}
	if base+idx.size != info.Size() {
		return nil, fmt.Errorf("%w: %s has %d bytes, its index says %d (truncated?)", ErrCorrupt, v.path, info.Size(), base+idx.size)
	}
	return &snapshot{exists: true, f: f, info: info, hdr: hdr, hdrRaw: raw, idx: idx, base: base}, nil
}

// setSnapshot replaces the current snapshot, closing the old file and
// dropping decrypted records the new index no longer lists.
func (v *Vault) setSnapshot(s *snapshot) {
	if v.snap != nil && v.snap.f != nil && (s == nil || v.snap.f != s.f) {
		v.snap.f.Close()
	}
	v.snap = s
	for t, p := range v.plain {
		if s == nil || s.idx == nil {
			delete(v.plain, t)
			continue
		}
		if ref, ok := s.idx.find(t); !ok || ref.nonce != p.nonce {
			delete(v.plain, t)
		}
	}
}

// unlock makes the data key with id the current one.
func (v *Vault) unlock(ctx context.Context, id keyID) error {
	if v.key != nil && v.key.id == id {
		return nil
	}
	dk, err := v.keys.load(ctx, id)
	if err != nil {
		return err
	}
	return v.useKey(dk)
}

// useKey makes dk the current key; records decrypted under another key are
// forgotten.
func (v *Vault) useKey(dk dataKey) error {
	aead, err := newAEAD(dk.key)
	if err != nil {
		return err
	}
	if v.key == nil || v.key.id != dk.id {
		clear(v.plain)
	}
	v.key, v.aead, v.lookup = &dk, aead, lookupKey(dk.key)
	return nil
}

// record returns the plaintext of a record of the current snapshot,
// decrypting it unless it is already in memory.
func (v *Vault) record(ref recordRef) ([]byte, error) {
	if p, ok := v.plain[ref.tag]; ok && p.nonce == ref.nonce {
		return p.data, nil
	}
	name := ref.tag[:]
	if v.snap.hdr.version == formatVersion1 {
		name = []byte(ref.id)
	}
	data, err := v.open(ref, recordAAD(v.snap.hdrRaw, name), fmt.Sprintf("record %x", ref.tag[:4]))
	if err != nil {
		return nil, err
	}
	v.plain[ref.tag] = plainRecord{nonce: ref.nonce, data: data}
	return data, nil
}

// open reads and decrypts what ref locates in the record area; what names
// it in errors.
func (v *Vault) open(ref recordRef, aad []byte, what string) ([]byte, error) {
	sealed := make([]byte, ref.len)
	if _, err := v.snap.f.ReadAt(sealed, v.snap.base+ref.off); err != nil {
		return nil, fmt.Errorf("%w: %s: %s: %v", ErrCorrupt, v.path, what, err)
	}
	data, err := v.aead.Open(sealed[:0], ref.nonce[:], sealed, aad)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %s fails authentication", ErrCorrupt, v.path, what)
	}
	v.decrypts.Add(1)
	return data, nil
}

// directory returns the current snapshot's directory, decrypting it the
// first time, and checks that it names every account record once.
func (v *Vault) directory() ([]dirEntry, error) {
	idx := v.snap.idx
	if idx.entries != nil {
		return idx.entries, nil
	}
	plain, err := v.open(idx.dir, directoryAAD(v.snap.hdrRaw), "the directory")
	if err != nil {
		return nil, err
	}
	entries, err := parseDirectory(plain, v.path)
	if err != nil {
		return nil, err
	}
	accounts := idx.nrec
	if _, ok := idx.find(recordTag(v.lookup, sharedID)); ok {
		accounts--
	}
	if len(entries) != accounts {
		return nil, fmt.Errorf("%w: %s: the directory lists %d records, the index %d", ErrCorrupt, v.path, len(entries), accounts)
	}
	for _, e := range entries {
		if _, ok := idx.find(recordTag(v.lookup, e.ID)); !ok {
			return nil, fmt.Errorf("%w: %s: the directory lists a record the index lacks", ErrCorrupt, v.path)
		}
	}
	idx.entries = entries
	return entries, nil
}

// loadCache returns the selected records of the snapshot as one cache:
// the shared record and the one of *only, or every record when only is nil.
//
// Each record is parsed on its own (cache.Parse of its fragment) and kept
// parsed in memory; the caller's cache is a cache.Merge of them. Records
// never share an entry key, so this equals parsing the united fragments,
// and after another process wrote only the records that changed are parsed
// again: merging is a copy, some ten times cheaper than parsing.
func (v *Vault) loadCache(only *string) (*cache.Cache, error) {
	c := cache.New()
	if !v.snap.exists {
		return c, nil
	}
	var refs []recordRef
	if only == nil {
		for i := range v.snap.idx.nrec {
			refs = append(refs, v.snap.idx.record(i))
		}
	} else {
		for _, id := range []string{sharedID, *only} {
			if ref, ok := v.snap.idx.find(recordTag(v.lookup, id)); ok && (len(refs) == 0 || refs[0] != ref) {
				refs = append(refs, ref)
			}
		}
	}
	for _, ref := range refs {
		parsed, err := v.parsedRecord(ref)
		if err != nil {
			return nil, err
		}
		c.Merge(parsed)
	}
	c.ResetStateChanged()
	return c, nil
}

// parsedRecord returns a record of the current snapshot as a cache.
func (v *Vault) parsedRecord(ref recordRef) (*cache.Cache, error) {
	data, err := v.record(ref)
	if err != nil {
		return nil, err
	}
	p := v.plain[ref.tag]
	if p.parsed == nil {
		c, err := cache.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: record %x: %v", ErrCorrupt, v.path, ref.tag[:4], err)
		}
		p.parsed = c
		v.plain[ref.tag] = p
	}
	return p.parsed, nil
}
