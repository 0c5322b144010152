package vault

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"acctui/engine/cache"
)

// importFragments cuts an MSAL document into one canonical fragment per
// record id (home account, or "" for what belongs to none) and counts its
// entries. Each part is parsed on its own, which reads it exactly as
// parsing the whole would: entries of different home accounts never share
// a key, so none collapse across parts. Working a part at a time keeps one
// account's parsed form in memory instead of the whole file's, and no
// whole-cache document is ever marshalled. It takes no lock.
// valid says normalizeImport found doc to be a JSON object; otherwise
// cache.Parse reads it whole.
func importFragments(doc []byte, valid bool) (map[string][]byte, cache.Counts, error) {
	var total cache.Counts
	parts, err := map[string][]byte(nil), errScan
	if valid {
		parts, err = rawParts(doc)
	}
	if err != nil {
		// Not walkable (a null section, a section of another type):
		// cache.Parse says what is wrong in its words, or reads it whole.
		c, perr := cache.Parse(doc)
		if perr != nil {
			return nil, total, perr
		}
		if doc, err = c.Marshal(); err != nil {
			return nil, total, fmt.Errorf("vault: %w", err)
		}
		if parts, err = splitCache(doc); err != nil {
			return nil, total, err
		}
	}
	canon := make(map[string][]byte, len(parts))
	for id, part := range parts {
		c, err := cache.Parse(part)
		if err != nil {
			return nil, total, err
		}
		n := c.Counts()
		total.AccessTokens += n.AccessTokens
		total.RefreshTokens += n.RefreshTokens
		total.IDTokens += n.IDTokens
		total.Accounts += n.Accounts
		total.AppMetadata += n.AppMetadata
		total.Unindexed += n.Unindexed
		// Which account is active is this vault's own choice, not the
		// file's (an export from another acctui carries its choice).
		c.DeleteMetadata(activeKey)
		frag, err := canonicalFragment(c, id)
		if err != nil {
			return nil, total, err
		}
		if frag != nil {
			canon[id] = frag
		}
		delete(parts, id)
	}
	return canon, total, nil
}

// rawParts cuts an MSAL document into one document per record id by the
// entries' home_account_id, like splitCache but for input straight from a
// file: entries keep their file order (which decides between entries that
// collapse onto one key), and sections acctui does not split go to the
// shared part whole.
func rawParts(doc []byte) (map[string][]byte, error) {
	type part struct {
		order    []string          // section names in file order
		sections map[string][]byte // section → object being built, or a whole value
	}
	parts := map[string]*part{}
	// add puts a whole section (key == "") or one entry into id's part.
	add := func(id, name, key string, val []byte) {
		p := parts[id]
		if p == nil {
			p = &part{sections: map[string][]byte{}}
			parts[id] = p
		}
		b, ok := p.sections[name]
		if !ok {
			p.order = append(p.order, name)
		}
		if key == "" && !partitioned[name] {
			p.sections[name] = val
			return
		}
		if !ok {
			b = append(make([]byte, 0, len(key)+len(val)+8), '{')
		} else {
			b = append(b, ',')
		}
		b = appendString(b, key)
		p.sections[name] = appendCompact(append(b, ':'), val) // files are often indented

	}
	err := eachMember(doc, func(name string, sec []byte) error {
		if !partitioned[name] {
			add(sharedID, name, "", sec)
			return nil
		}
		return eachMember(sec, func(key string, entry []byte) error {
			add(recordID(stringMembers(entry, "home_account_id")[0]), name, key, entry)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("vault: import: %w", err)
	}
	out := make(map[string][]byte, len(parts))
	for id, p := range parts {
		size := 2
		for name, sec := range p.sections {
			size += len(name) + len(sec) + 4
		}
		b := append(make([]byte, 0, size), '{')
		for i, name := range p.order {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, name)
			b = append(b, ':')
			b = append(b, p.sections[name]...)
			if partitioned[name] {
				b = append(b, '}')
			}
		}
		out[id] = append(b, '}')
		delete(parts, id) // its buffers can go while the rest are rendered
	}
	return out, nil
}

// canonicalFragment is the record id's fragment of c, as a write would
// store it; nil when c holds nothing for it.
func canonicalFragment(c *cache.Cache, id string) ([]byte, error) {
	doc, err := c.Marshal()
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	frags, err := splitCache(doc)
	if err != nil {
		return nil, err
	}
	if len(frags) > 1 {
		return nil, fmt.Errorf("vault: import: a part of the file split again") // a bug
	}
	return frags[id], nil
}

// mergeImport merges canonical fragments into the vault under the lock,
// one record at a time: a record the vault lacks is stored as it is, one
// it has is merged with cache.Merge (never dropping an entry; the newer
// wins). Records the import does not touch are neither parsed nor sealed
// again. It returns the vault's Account entries before and after.
func (v *Vault) mergeImport(ctx context.Context, canon map[string][]byte) (before, after int, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	unlock, err := v.lockFile(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer unlock()
	if err := v.refresh(ctx); err != nil {
		return 0, 0, err
	}
	if v.snap.exists {
		for i := range v.snap.idx.nrec {
			data, err := v.record(v.snap.idx.record(i))
			if err != nil {
				return 0, 0, err
			}
			before += countAccountEntries(data)
		}
	}
	after = before
	if len(canon) == 0 {
		return before, after, nil
	}
	out := make(map[string][]byte, len(canon)+1)
	for id, frag := range canon {
		ref, ok := recordRef{}, false
		if v.snap.exists {
			ref, ok = v.snap.idx.find(recordTag(v.lookup, id))
		}
		if !ok {
			out[id] = frag
			after += countAccountEntries(frag)
			continue
		}
		old, err := v.parsedRecord(ref)
		if err != nil {
			return 0, 0, err
		}
		in, err := cache.Parse(frag)
		if err != nil {
			return 0, 0, fmt.Errorf("vault: import: %w", err)
		}
		merged := cache.New()
		merged.Merge(old)
		merged.Merge(in)
		if out[id], err = canonicalFragment(merged, id); err != nil {
			return 0, 0, err
		}
		after += countAccountEntries(out[id]) - countAccountEntries(v.plain[ref.tag].data)
	}
	if _, ok := out[sharedID]; !ok && v.snap.exists {
		// save treats the shared record as given: hand it over unchanged.
		if ref, ok := v.snap.idx.find(recordTag(v.lookup, sharedID)); ok {
			if out[sharedID], err = v.record(ref); err != nil {
				return 0, 0, err
			}
		}
	}
	// A record id no account can have: save then merges every other
	// fragment into the record it names instead of replacing the vault.
	var nonce [16]byte
	rand.Read(nonce[:])
	none := "\x00import-" + hex.EncodeToString(nonce[:])
	return before, after, v.save(ctx, &none, out)
}

// countAccountEntries counts the members of a fragment's Account section.
func countAccountEntries(frag []byte) int {
	n := 0
	_ = eachMember(frag, func(name string, sec []byte) error {
		if name != cache.SectionAccount {
			return nil
		}
		return eachMember(sec, func(string, []byte) error { n++; return nil })
	})
	return n
}
