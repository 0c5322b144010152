package cache

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// Marshal returns the cache as JSON in the unified schema. The output is
// deterministic: sections, keys and members are sorted, and it is indented
// by four spaces like MSAL Python's json.dumps(indent=4), so an unchanged
// cache serialises to the same bytes and diffs of the file stay readable.
// The five MSAL sections are always present; the metadata section only when
// it holds something.
func (c *Cache) Marshal() ([]byte, error) {
	return c.marshal(true)
}

// MarshalForOtherClients is Marshal without acctui's own metadata section:
// what a plaintext export gives MSAL Python, the Azure CLI or any other
// client. That section holds acctui's settings and the credentials of
// service principals, which no token cache file outside the vault may
// carry.
func (c *Cache) MarshalForOtherClients() ([]byte, error) {
	return c.marshal(false)
}

func (c *Cache) marshal(withMetadata bool) ([]byte, error) {
	writers := map[string]func(*bytes.Buffer) error{
		SectionAccessToken:  func(b *bytes.Buffer) error { return writeTable(b, &c.accessTokens) },
		SectionRefreshToken: func(b *bytes.Buffer) error { return writeTable(b, &c.refreshTokens) },
		SectionIDToken:      func(b *bytes.Buffer) error { return writeTable(b, &c.idTokens) },
		SectionAccount:      func(b *bytes.Buffer) error { return writeTable(b, &c.accounts) },
		SectionAppMetadata:  func(b *bytes.Buffer) error { return writeTable(b, &c.appMetadata) },
	}
	if len(c.metadata) > 0 && withMetadata {
		writers[SectionMetadata] = c.writeMetadata
	}
	for name, raw := range c.sections {
		if _, known := writers[name]; known || name == SectionMetadata {
			continue
		}
		writers[name] = func(b *bytes.Buffer) error {
			if !json.Valid(raw) {
				return fmt.Errorf("section %q is not valid JSON", name)
			}
			b.Write(raw)
			return nil
		}
	}

	var compact bytes.Buffer
	compact.Grow(256 * (c.Len() + 1))
	compact.WriteByte('{')
	for i, name := range slices.Sorted(maps.Keys(writers)) {
		if i > 0 {
			compact.WriteByte(',')
		}
		writeString(&compact, name)
		compact.WriteByte(':')
		if err := writers[name](&compact); err != nil {
			return nil, fmt.Errorf("cache: marshal: %w", err)
		}
	}
	compact.WriteByte('}')

	var out bytes.Buffer
	out.Grow(compact.Len() * 5 / 4)
	if err := json.Indent(&out, compact.Bytes(), "", "    "); err != nil {
		return nil, fmt.Errorf("cache: marshal: %w", err)
	}
	return out.Bytes(), nil
}

// writeTable writes one section: indexed entries and orphans together,
// sorted by key (the two key sets are disjoint by construction).
func writeTable[E any, P entryPtr[E]](b *bytes.Buffer, t *table[E]) error {
	keys := make([]string, 0, t.len())
	keys = slices.AppendSeq(keys, maps.Keys(t.entries))
	keys = slices.AppendSeq(keys, maps.Keys(t.orphans))
	slices.Sort(keys)
	b.WriteByte('{')
	for i, key := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, key)
		b.WriteByte(':')
		e, ok := t.entries[key]
		if !ok {
			e = t.orphans[key]
		}
		if err := P(e).encode(b); err != nil {
			return fmt.Errorf("entry %q: %w", clip(key), err)
		}
	}
	b.WriteByte('}')
	return nil
}

func (c *Cache) writeMetadata(b *bytes.Buffer) error {
	b.WriteByte('{')
	for i, key := range slices.Sorted(maps.Keys(c.metadata)) {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, key)
		b.WriteByte(':')
		if err := c.metadata[key].encode(b); err != nil {
			return fmt.Errorf("metadata %q: %w", clip(key), err)
		}
	}
	b.WriteByte('}')
	return nil
}
