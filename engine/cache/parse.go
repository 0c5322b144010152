package cache

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Parse reads a unified token cache: MSAL Python's, MSAL Go's, MSAL .NET's
// or the Azure CLI's msal_token_cache.json. Empty input gives an empty
// cache.
//
// Every entry is re-keyed under MSAL Python's key computed from its fields,
// so MSAL Go's and MSAL .NET's key variants and the mixed-case keys of v1.0
// caches all land where MSAL Python looks. When two entries collapse onto
// one key the newer wins (greater cached_at for access tokens, greater
// last_modification_time for refresh tokens), and on a tie the one later in
// the file. Entries lacking the fields a key needs stay under their original
// key, unindexed; if such a key collides with a canonical one, the complete
// entry wins. Unknown members and sections are kept.
//
// A wrong type anywhere (a section that is not an object, a string member
// holding a number) is an error; error messages never contain token values.
func Parse(data []byte) (*Cache, error) {
	c := New()
	if len(bytes.TrimSpace(data)) == 0 {
		return c, nil
	}
	var p parser
	if err := p.parse(c, data); err != nil {
		return nil, fmt.Errorf("cache: parse: %w", err)
	}
	p.fileInto(c)
	return c, nil
}

// fileInto files the entries read into c, in the order read.
func (p *parser) fileInto(c *Cache) {
	load(c, &c.accessTokens, p.accessTokens)
	load(c, &c.refreshTokens, p.refreshTokens)
	load(c, &c.idTokens, p.idTokens)
	load(c, &c.accounts, p.accounts)
	load(c, &c.appMetadata, p.appMetadata)
}

// pending is an entry read from the file, with the key it was stored under.
type pending[E any] struct {
	key   string
	entry *E
}

// parser collects entries in file order, because which of two colliding
// entries wins can depend on that order.
type parser struct {
	dec           *json.Decoder
	accessTokens  []pending[AccessToken]
	refreshTokens []pending[RefreshToken]
	idTokens      []pending[IDToken]
	accounts      []pending[Account]
	appMetadata   []pending[AppMetadata]
}

func (p *parser) parse(c *Cache, data []byte) error {
	p.dec = json.NewDecoder(bytes.NewReader(data))
	if err := p.expectDelim('{', "top level"); err != nil {
		return err
	}
	for p.dec.More() {
		name, err := p.key()
		if err != nil {
			return err
		}
		switch name {
		case SectionAccessToken:
			p.accessTokens, err = readSection(p, name, p.accessTokens)
		case SectionRefreshToken:
			p.refreshTokens, err = readSection(p, name, p.refreshTokens)
		case SectionIDToken:
			p.idTokens, err = readSection(p, name, p.idTokens)
		case SectionAccount:
			p.accounts, err = readSection(p, name, p.accounts)
		case SectionAppMetadata:
			p.appMetadata, err = readSection(p, name, p.appMetadata)
		case SectionMetadata:
			err = p.readMetadata(c)
		default:
			var raw json.RawMessage
			if err = p.dec.Decode(&raw); err == nil {
				c.sections[name] = raw
			}
		}
		if err != nil {
			return err
		}
	}
	if err := p.expectDelim('}', "top level"); err != nil {
		return err
	}
	if _, err := p.dec.Token(); err != io.EOF {
		return errors.New("data after the top-level object")
	}
	return nil
}

// readSection reads one section object; null counts as empty, as MSAL
// Python's dict.get would treat a missing section.
func readSection[E any, P entryPtr[E]](p *parser, section string, out []pending[E]) ([]pending[E], error) {
	err := p.eachMember(section, func(key string, raw json.RawMessage) error {
		e := new(E)
		if err := P(e).decode(raw); err != nil {
			return fmt.Errorf("%s %q: %w", section, clip(key), err)
		}
		out = append(out, pending[E]{key: key, entry: e})
		return nil
	})
	return out, err
}

func (p *parser) readMetadata(c *Cache) error {
	return p.eachMember(SectionMetadata, func(key string, raw json.RawMessage) error {
		m := new(metadataEntry)
		if err := m.decode(raw); err != nil {
			return fmt.Errorf("%s %q: %w", SectionMetadata, clip(key), err)
		}
		c.metadata[key] = m
		return nil
	})
}

// eachMember calls fn for every member of the object (or null) that comes
// next in the stream.
func (p *parser) eachMember(section string, fn func(key string, raw json.RawMessage) error) error {
	tok, err := p.dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("section %s is not a JSON object", section)
	}
	for p.dec.More() {
		key, err := p.key()
		if err != nil {
			return err
		}
		var raw json.RawMessage
		if err := p.dec.Decode(&raw); err != nil {
			return err
		}
		if err := fn(key, raw); err != nil {
			return err
		}
	}
	return p.expectDelim('}', section)
}

func (p *parser) key() (string, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return "", err
	}
	key, ok := tok.(string)
	if !ok {
		return "", errors.New("expected an object key")
	}
	return key, nil
}

func (p *parser) expectDelim(want json.Delim, where string) error {
	tok, err := p.dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("%s is not a JSON object", where)
	}
	return nil
}

// load files the parsed entries of one section under their canonical keys,
// then adds the unindexable ones under their original keys.
func load[E any, P entryPtr[E]](c *Cache, t *table[E], entries []pending[E]) {
	for _, pe := range entries {
		e := P(pe.entry)
		if !e.indexable() {
			continue
		}
		key := e.Key()
		if old, ok := t.entries[key]; ok && P(old).stamp() > e.stamp() {
			continue
		}
		put(c, t, key, e)
	}
	for _, pe := range entries {
		if P(pe.entry).indexable() {
			continue
		}
		if _, taken := t.entries[pe.key]; taken {
			continue
		}
		t.orphans[pe.key] = pe.entry
	}
}

// clip shortens a key for an error message; a hostile file can hold
// megabyte keys.
func clip(key string) string {
	const max = 80
	if len(key) <= max {
		return key
	}
	return key[:max] + "…"
}
