package cache

import (
	"encoding/json"
	"fmt"
)

// StoredEntry is one entry as a store that keeps entries one by one holds
// it: its section (one of the five entry sections, or the metadata
// section), the key it is filed under, and its JSON.
type StoredEntry struct {
	Section, Key string
	JSON         []byte
}

// ParseEntries gives the cache Parse gives for a document whose sections
// hold entries, in that order, and whose other top-level members are
// sections (kept verbatim), without the document being written and read
// again. Each entry is decoded as ReadEntry decodes it.
func ParseEntries(entries []StoredEntry, sections map[string]json.RawMessage) (*Cache, error) {
	c := New()
	var p parser
	for _, se := range entries {
		if err := p.addStored(c, se); err != nil {
			return nil, fmt.Errorf("cache: parse: %s %q: %w", se.Section, clip(se.Key), err)
		}
	}
	for name, raw := range sections {
		c.sections[name] = raw
	}
	p.fileInto(c)
	return c, nil
}

// addStored files one stored entry as Parse's reading of its section does.
func (p *parser) addStored(c *Cache, se StoredEntry) error {
	if se.Section == SectionMetadata {
		m := new(metadataEntry)
		if err := m.decode(se.JSON); err != nil {
			return err
		}
		c.metadata[se.Key] = m
		return nil
	}
	entry, _, err := decodeEntry(se.Section, se.JSON)
	if err != nil {
		return err
	}
	switch e := entry.(type) {
	case *AccessToken:
		p.accessTokens = append(p.accessTokens, pending[AccessToken]{se.Key, e})
	case *RefreshToken:
		p.refreshTokens = append(p.refreshTokens, pending[RefreshToken]{se.Key, e})
	case *IDToken:
		p.idTokens = append(p.idTokens, pending[IDToken]{se.Key, e})
	case *Account:
		p.accounts = append(p.accounts, pending[Account]{se.Key, e})
	case *AppMetadata:
		p.appMetadata = append(p.appMetadata, pending[AppMetadata]{se.Key, e})
	}
	return nil
}
