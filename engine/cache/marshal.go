package cache

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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

// WriteForOtherClients writes what MarshalForOtherClients returns to w, a
// section at a time: it holds one section's text, where building the
// document whole held it compact and again indented (an export of 10 000
// accounts is some 70 MB). Sections are written in order as they are
// made, one Write each, so after an error w may hold the first of them.
func (c *Cache) WriteForOtherClients(w io.Writer) error {
	return c.writeDocument(w, false)
}

func (c *Cache) marshal(withMetadata bool) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(256 * (c.Len() + 1) * 5 / 4)
	if err := c.writeDocument(&out, withMetadata); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// indentUnit is MSAL Python's json.dumps(indent=4).
const indentUnit = "    "

// writeDocument writes the sections sorted by name, each made compact and
// then indented one level in, with the punctuation between them that
// json.Indent gives the whole document: the same bytes.
func (c *Cache) writeDocument(w io.Writer, withMetadata bool) error {
	writers := c.sectionWriters(withMetadata)
	names := slices.Sorted(maps.Keys(writers))
	var compact, out bytes.Buffer
	for i, name := range names {
		compact.Reset()
		if err := writers[name](&compact); err != nil {
			return fmt.Errorf("cache: marshal: %w", err)
		}
		out.Reset()
		if i == 0 {
			out.WriteString("{\n" + indentUnit)
		} else {
			out.WriteString(",\n" + indentUnit)
		}
		writeString(&out, name)
		out.WriteString(": ")
		// json.Indent keeps trailing space of its input; inside the
		// document there is none to keep
		section := bytes.TrimRight(compact.Bytes(), " \t\r\n")
		if err := json.Indent(&out, section, indentUnit, indentUnit); err != nil {
			return fmt.Errorf("cache: marshal: section %q: %w", name, err)
		}
		if _, err := w.Write(out.Bytes()); err != nil {
			return err
		}
	}
	closing := "\n}"
	if len(names) == 0 {
		closing = "{}"
	}
	_, err := io.WriteString(w, closing)
	return err
}

// sectionWriters gives each section the document holds its writer.
func (c *Cache) sectionWriters(withMetadata bool) map[string]func(*bytes.Buffer) error {
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
	return writers
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
