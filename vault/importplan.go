package vault

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"io"
	"slices"

	"acctui/engine/cache"
)

// An import reads an MSAL file twice. The first pass (planImport) streams
// it and keeps only where each entry is, under which key and for which
// record, applying Python's last-wins rule as it goes; the second pass
// (importRecordCreds) reads one record's entries back at their offsets,
// turns them into credentials and hands them to the write, record by
// record in key order. So an import holds the entries' keys, not their
// tokens, and a file section by section (all access tokens, then all
// refresh tokens) still becomes one record per account.

// importSection is one known entry section as the file holds it last.
type importSection struct {
	entries []*importEntry
	byKey   map[string]*importEntry
	bad     bool // the last value is neither an object nor null
}

// importEntry is where one entry's last value is in the file.
type importEntry struct {
	section string
	key     string
	record  string
	at      fileSpan
}

// fileSpan is a value's place in the file and a checksum of its bytes, so
// the second pass notices a file that changed under it.
type fileSpan struct {
	off int64
	n   int
	sum uint64
}

// unknownSection is a top-level section acctui does not know (or its own
// metadata, never taken), in the place of its first occurrence.
type unknownSection struct {
	name string
	at   fileSpan
}

// importPlan is what the first pass keeps.
type importPlan struct {
	seed      maphash.Seed
	sections  map[string]*importSection
	top       []*unknownSection // in order of first occurrence
	topByName map[string]*unknownSection
	// superseded are values a later name replaced: never imported, but
	// the file must still be valid JSON, as Python's json.load demands.
	superseded []fileSpan
	size       int64 // the bytes of the entries
}

// planImport streams an MSAL document from r (at most limit bytes).
func planImport(ctx context.Context, r io.Reader, limit int64, name string) (*importPlan, error) {
	p := &importPlan{seed: maphash.MakeSeed(), sections: map[string]*importSection{}, topByName: map[string]*unknownSection{}}
	s := newStreamScanner(ctx, r, limit, name)
	// A file of nothing but white space is an empty cache, as cache.Parse
	// reads it.
	if c, ok, err := s.peek(); err != nil || !ok {
		return p, err
	} else if c != '{' {
		if blank, err := s.restIsSpace(); err != nil || blank {
			return p, err
		}
	}
	err := s.eachMember(func(name string) error {
		if !knownSections[name] || name == cache.SectionMetadata {
			off, val, err := s.value()
			if err != nil {
				return err
			}
			p.setUnknown(name, p.span(off, val))
			return nil
		}
		return p.readSection(s, name)
	})
	if err == nil {
		err = s.end()
	}
	if err != nil {
		return nil, err
	}
	for name, sec := range p.sections {
		if sec.bad {
			return nil, fmt.Errorf("cache: parse: section %s is not a JSON object", name)
		}
	}
	return p, nil
}

func (p *importPlan) span(off int64, val []byte) fileSpan {
	return fileSpan{off: off, n: len(val), sum: maphash.Bytes(p.seed, val)}
}

// setUnknown keeps name's value in the place of its first occurrence.
func (p *importPlan) setUnknown(name string, at fileSpan) {
	if u := p.topByName[name]; u != nil {
		p.superseded = append(p.superseded, u.at)
		u.at = at
		return
	}
	u := &unknownSection{name: name, at: at}
	p.top = append(p.top, u)
	p.topByName[name] = u
}

// readSection reads a known section's entries; a section named again
// replaces the earlier one whole.
func (p *importPlan) readSection(s *streamScanner, name string) error {
	if old := p.sections[name]; old != nil {
		for _, e := range old.entries {
			p.superseded = append(p.superseded, e.at)
		}
	}
	sec := &importSection{byKey: map[string]*importEntry{}}
	p.sections[name] = sec
	c, _, err := s.peek()
	if err != nil {
		return err
	}
	if c != '{' {
		// null is an empty section; anything else is an error if no
		// later section of this name replaces it.
		off, val, err := s.value()
		if err != nil {
			return err
		}
		sec.bad = string(val) != "null"
		p.superseded = append(p.superseded, p.span(off, val))
		return nil
	}
	return s.eachMember(func(key string) error {
		off, val, err := s.value()
		if err != nil {
			return err
		}
		at := p.span(off, val)
		p.size += int64(len(val))
		record := sharedID
		if name != cache.SectionAppMetadata {
			record = recordID(entryHomeID(val))
		}
		if e := sec.byKey[key]; e != nil {
			p.superseded = append(p.superseded, e.at)
			e.at, e.record = at, record
			return nil
		}
		e := &importEntry{section: name, key: key, record: record, at: at}
		sec.byKey[key] = e
		sec.entries = append(sec.entries, e)
		return nil
	})
}

// records groups the entries by record id, each record's in file order
// (which decides between entries that land on one key).
func (p *importPlan) records() map[string][]*importEntry {
	out := map[string][]*importEntry{}
	for _, name := range entrySections {
		sec := p.sections[name]
		if sec == nil {
			continue
		}
		for _, e := range sec.entries {
			out[e.record] = append(out[e.record], e)
		}
		sec.byKey = nil // no longer needed
	}
	return out
}

// entrySections are the sections whose entries an import files, in a
// fixed order.
var entrySections = []string{cache.SectionAccessToken, cache.SectionRefreshToken, cache.SectionIDToken,
	cache.SectionAccount, cache.SectionAppMetadata}

// readSpan reads a value back for the second pass into buf (reused).
func readSpan(src io.ReaderAt, at fileSpan, seed maphash.Seed, buf []byte) ([]byte, error) {
	buf = slices.Grow(buf[:0], at.n)[:at.n]
	if _, err := src.ReadAt(buf, at.off); err != nil {
		return nil, fmt.Errorf("the file changed while it was imported: %w", err)
	}
	if maphash.Bytes(seed, buf) != at.sum {
		return nil, fmt.Errorf("the file changed while it was imported; import it again")
	}
	return buf, nil
}

// checkSuperseded checks that the values a later name replaced are valid
// JSON, as a whole-file parse would.
func (p *importPlan) checkSuperseded(src io.ReaderAt) error {
	var buf []byte
	for _, at := range p.superseded {
		b, err := readSpan(src, at, p.seed, buf)
		if err != nil {
			return err
		}
		if !json.Valid(b) {
			return fmt.Errorf("%w at byte %d", errScan, at.off)
		}
		buf = b
	}
	return nil
}

// unknownSections returns the unknown sections to keep, whole, and the
// ones dropped: acctui's own metadata always, the others past
// maxUnknownSection each or maxUnknownTotal together, in file order.
func (p *importPlan) unknownSections(src io.ReaderAt) (kept []cred, dropped []DroppedSection, err error) {
	total := 0
	for _, u := range p.top {
		val, err := readSpan(src, u.at, p.seed, nil)
		if err != nil {
			return nil, nil, err
		}
		if !json.Valid(val) {
			return nil, nil, fmt.Errorf("cache: parse: section %q is not valid JSON", u.name)
		}
		switch {
		case u.name == cache.SectionMetadata:
			// acctui's own section: settings, cached discovery documents
			// and throttling. Taken from a file it could name another
			// token endpoint for this vault's refresh tokens, or plant
			// an app's credential; no MSAL client writes it.
			dropped = append(dropped, DroppedSection{Name: u.name, Bytes: u.at.n, Reason: droppedAcctuiOwn})
		case u.at.n > maxUnknownSection || total+u.at.n > maxUnknownTotal:
			dropped = append(dropped, DroppedSection{Name: u.name, Bytes: u.at.n})
		default:
			total += u.at.n
			kept = append(kept, cred{whole: true, section: u.name, val: appendCompact(nil, val)})
		}
	}
	return kept, dropped, nil
}
