package vault

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"acctui/engine/cache"
	bolt "go.etcd.io/bbolt"
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
// wins). Records the import does not touch are neither decrypted nor
// sealed again: the counts come from the summaries. It returns the vault's
// Account entries before and after.
func (v *Vault) mergeImport(ctx context.Context, canon map[string][]byte) (before, after int, err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	unlock, err := v.lockFile(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer unlock()
	kind, err := v.prepareWrite(ctx)
	if err != nil {
		return 0, 0, err
	}
	if kind == kindNone {
		for _, frag := range canon {
			after += countAccountEntries(frag)
		}
		if len(canon) == 0 {
			return 0, 0, nil
		}
		return 0, after, v.createNew(ctx, canon)
	}
	err = v.txStore(ctx, true, func(tx *bolt.Tx) error {
		m, err := v.readManifest(tx)
		if err != nil {
			return err
		}
		sh, err := v.sharedCreds(tx, m)
		if err != nil {
			return err
		}
		before = countAccountCreds(sh)
		err = v.eachAccount(tx, m, func(a *account) error {
			before += a.sum.Entries
			return nil
		})
		if err != nil {
			return err
		}
		after = before
		if len(canon) == 0 {
			return errNoChange
		}
		set := loaded{sharedID: {creds: sh}}
		out := make(map[string][]byte, len(canon)+1)
		for id, frag := range canon {
			var old creds
			if id == sharedID {
				old = sh
			} else if a, err := v.findAccount(tx, id); err != nil {
				return err
			} else if a != nil {
				if old, err = v.accountCreds(tx, a); err != nil {
					return err
				}
				set[id] = &loadedRecord{acct: a, creds: old}
			}
			if old == nil {
				out[id] = frag
				after += countAccountEntries(frag)
				continue
			}
			if out[id], err = mergeFragment(old, id, frag); err != nil {
				return err
			}
			after += countAccountEntries(out[id]) - countAccountCreds(old)
		}
		if _, ok := out[sharedID]; !ok {
			// the shared record is always given to apply: hand it over
			out[sharedID] = sh.fragment()
		}
		// A record id no account can have: apply then merges every other
		// fragment into the record it names instead of replacing the vault.
		var nonce [16]byte
		rand.Read(nonce[:])
		none := "\x00import-" + hex.EncodeToString(nonce[:])
		return v.apply(tx, m, set, &none, out)
	})
	if err != nil {
		return 0, 0, err
	}
	return before, after, nil
}

// mergeFragment unites a record's stored credentials with an imported
// fragment by cache.Merge and returns the record's canonical fragment.
func mergeFragment(old creds, id string, frag []byte) ([]byte, error) {
	stored, err := cache.Parse(old.fragment())
	if err != nil {
		return nil, fmt.Errorf("vault: import: %w", err)
	}
	in, err := cache.Parse(frag)
	if err != nil {
		return nil, fmt.Errorf("vault: import: %w", err)
	}
	merged := cache.New()
	merged.Merge(stored)
	merged.Merge(in)
	return canonicalFragment(merged, id)
}

// countAccountCreds counts a record's Account entries.
func countAccountCreds(cs creds) int {
	n := 0
	for _, c := range cs {
		if !c.whole && c.section == cache.SectionAccount {
			n++
		}
	}
	return n
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
