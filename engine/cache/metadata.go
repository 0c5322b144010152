package cache

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
)

// metadataEntry is one value of the "AcctuiMetadata" section:
// {"value": <any JSON>, "expires_on": "<epoch>"}.
type metadataEntry struct {
	value     json.RawMessage
	expiresOn int64 // 0: never expires
	extra     map[string]json.RawMessage
}

func (m *metadataEntry) fields() []field {
	return []field{
		epochField("expires_on", &m.expiresOn),
		rawField("value", &m.value),
	}
}

func (m *metadataEntry) decode(data []byte) error {
	*m = metadataEntry{}
	if value, expiresOn, ok := storedMetadata(data); ok {
		m.value, m.expiresOn = bytes.Clone(value), expiresOn
		return nil
	}
	extra, err := decodeFields(data, "", m.fields())
	m.extra = extra
	return err
}

// storedMetadata reads an entry in the form encode writes,
// {"expires_on":"N","value":V} or {"value":V}, without encoding/json's map
// and reflection: a discovery document is a few kilobytes, and the read
// of a cached token parses each one the shared record holds. ok is false
// for any other form, which decodeFields then reads or refuses, so the
// two give the same entry (FuzzStoredMetadataAsDecodeFields).
func storedMetadata(data []byte) (value []byte, expiresOn int64, ok bool) {
	rest, dated := bytes.CutPrefix(data, []byte(`{"expires_on":`))
	if dated {
		end := bytes.IndexByte(rest[min(1, len(rest)):], '"') + 2 // past the closing quote
		if end < 2 {
			return nil, 0, false
		}
		if expiresOn, ok = quotedDigits(rest[:end]); !ok {
			return nil, 0, false
		}
		if rest, ok = bytes.CutPrefix(rest[end:], []byte(`,"value":`)); !ok {
			return nil, 0, false
		}
	} else if rest, ok = bytes.CutPrefix(data, []byte(`{"value":`)); !ok {
		return nil, 0, false
	}
	value, ok = bytes.CutSuffix(rest, []byte("}"))
	if !ok || len(value) == 0 || isSpace(value[0]) || isSpace(value[len(value)-1]) ||
		string(value) == "null" || !json.Valid(value) {
		return nil, 0, false
	}
	return value, expiresOn, true
}

func (m *metadataEntry) encode(buf *bytes.Buffer) error {
	return encodeFields(buf, "", m.fields(), m.extra)
}

func (m *metadataEntry) clone() *metadataEntry {
	return &metadataEntry{value: bytes.Clone(m.value), expiresOn: m.expiresOn, extra: maps.Clone(m.extra)}
}

// SetMetadata stores value under key in the "AcctuiMetadata" section until
// expiresOn (epoch seconds; 0 means no expiry). The engine keeps OIDC
// metadata and instance-discovery results there so a warm start needs no
// network. value must be valid JSON; it is stored compacted.
func (c *Cache) SetMetadata(key string, value json.RawMessage, expiresOn int64) error {
	var compact bytes.Buffer
	if err := json.Compact(&compact, value); err != nil {
		return fmt.Errorf("cache: set metadata %q: %w", key, err)
	}
	c.metadata[key] = &metadataEntry{value: compact.Bytes(), expiresOn: expiresOn}
	c.changed = true
	return nil
}

// Metadata returns a copy of the value stored under key, or false when
// there is none or it expired at or before now (epoch seconds).
func (c *Cache) Metadata(key string, now int64) (json.RawMessage, bool) {
	m, ok := c.metadata[key]
	if !ok || (m.expiresOn != 0 && m.expiresOn <= now) {
		return nil, false
	}
	if len(m.value) == 0 {
		// A file said "value": null, which decoding leaves in extra.
		return json.RawMessage("null"), true
	}
	return bytes.Clone(m.value), true
}

// DeleteMetadata removes the value stored under key.
func (c *Cache) DeleteMetadata(key string) {
	if _, ok := c.metadata[key]; ok {
		delete(c.metadata, key)
		c.changed = true
	}
}

// PruneMetadata removes values that expired at or before now and returns
// how many it removed, so stale discovery results do not pile up.
func (c *Cache) PruneMetadata(now int64) int {
	n := 0
	for key, m := range c.metadata {
		if m.expiresOn != 0 && m.expiresOn <= now {
			delete(c.metadata, key)
			n++
		}
	}
	if n > 0 {
		c.changed = true
	}
	return n
}
