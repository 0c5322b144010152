package vault

import (
	"bytes"
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
	st, err := os.Stat(v.path)
	if errors.Is(err, fs.ErrNotExist) {
		if v.snap == nil || v.snap.exists {
			v.setSnapshot(&snapshot{})
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	if s := v.snap; s != nil && s.exists && os.SameFile(st, s.info) &&
		st.Size() == s.info.Size() && st.ModTime().Equal(s.info.ModTime()) {
		return nil
	}
	f, err := os.Open(v.path)
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
	idx, err := parseIndex(plain, v.path)
	if err != nil {
		return nil, err
	}
	if base+idx.Size != info.Size() {
		return nil, fmt.Errorf("%w: %s has %d bytes, its index says %d (truncated?)", ErrCorrupt, v.path, info.Size(), base+idx.Size)
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
	for id, p := range v.plain {
		if s == nil || s.idx == nil {
			delete(v.plain, id)
			continue
		}
		if ref, ok := s.idx.find(id); !ok || !bytes.Equal(ref.Nonce, p.nonce) {
			delete(v.plain, id)
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
	v.key, v.aead = &dk, aead
	return nil
}

// record returns the plaintext of a record of the current snapshot,
// decrypting it unless it is already in memory.
func (v *Vault) record(ref recordRef) ([]byte, error) {
	if p, ok := v.plain[ref.ID]; ok && bytes.Equal(p.nonce, ref.Nonce) {
		return p.data, nil
	}
	sealed, err := v.sealedRecord(ref)
	if err != nil {
		return nil, err
	}
	data, err := v.aead.Open(sealed[:0], ref.Nonce, sealed, recordAAD(v.snap.hdrRaw, ref.ID))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: record %q fails authentication", ErrCorrupt, v.path, ref.ID)
	}
	v.decrypts.Add(1)
	v.plain[ref.ID] = plainRecord{nonce: ref.Nonce, data: data}
	return data, nil
}

// sealedRecord reads a record's ciphertext from the snapshot.
func (v *Vault) sealedRecord(ref recordRef) ([]byte, error) {
	sealed := make([]byte, ref.Len)
	if _, err := v.snap.f.ReadAt(sealed, v.snap.base+ref.Off); err != nil {
		return nil, fmt.Errorf("%w: %s: record %q: %v", ErrCorrupt, v.path, ref.ID, err)
	}
	return sealed, nil
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
	for _, ref := range v.snap.idx.Records {
		if only != nil && ref.ID != sharedID && ref.ID != *only {
			continue
		}
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
	p := v.plain[ref.ID]
	if p.parsed == nil {
		c, err := cache.Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: record %q: %v", ErrCorrupt, v.path, ref.ID, err)
		}
		p.parsed = c
		v.plain[ref.ID] = p
	}
	return p.parsed, nil
}
