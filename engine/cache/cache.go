package cache

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// Cache is an in-memory unified token cache. Entries are stored under MSAL
// Python's canonical keys and indexed by account and environment.
//
// A Cache is not safe for concurrent use: the engine holds a mutex around
// it, because a read-modify-write must be atomic anyway.
type Cache struct {
	accessTokens  table[AccessToken]
	refreshTokens table[RefreshToken]
	idTokens      table[IDToken]
	accounts      table[Account]
	appMetadata   table[AppMetadata]
	metadata      map[string]*metadataEntry
	// sections keeps unknown top-level sections verbatim.
	sections map[string]json.RawMessage
	idx      index
	changed  bool
}

// table holds the entries of one section.
type table[E any] struct {
	// entries are indexed and stored under their canonical key.
	entries map[string]*E
	// orphans lack fields needed for a canonical key; they keep the key
	// they were read under and are written back, but no lookup returns them.
	orphans map[string]*E
}

func newTable[E any]() table[E] {
	return table[E]{entries: make(map[string]*E), orphans: make(map[string]*E)}
}

func (t *table[E]) len() int { return len(t.entries) + len(t.orphans) }

// entryPtr is what the generic table code needs of an entry kind.
type entryPtr[E any] interface {
	*E
	Key() string
	indexable() bool
	stamp() int64
	value() E
	clone() *E
	index(ix *index, key string, add bool)
	decode(data []byte) error
	encode(buf *bytes.Buffer) error
}

// New returns an empty cache.
func New() *Cache {
	return &Cache{
		accessTokens:  newTable[AccessToken](),
		refreshTokens: newTable[RefreshToken](),
		idTokens:      newTable[IDToken](),
		accounts:      newTable[Account](),
		appMetadata:   newTable[AppMetadata](),
		metadata:      make(map[string]*metadataEntry),
		sections:      make(map[string]json.RawMessage),
		idx:           newIndex(),
	}
}

// put stores e under key, replacing (and unindexing) whatever was there.
func put[E any, P entryPtr[E]](c *Cache, t *table[E], key string, e P) {
	if old, ok := t.entries[key]; ok {
		P(old).index(&c.idx, key, false)
	}
	delete(t.orphans, key)
	t.entries[key] = (*E)(e)
	e.index(&c.idx, key, true)
}

// save stores a copy of e under its canonical key.
func save[E any, P entryPtr[E]](c *Cache, t *table[E], e P, what string) error {
	if !e.indexable() {
		return fmt.Errorf("cache: save %s: %w", what, ErrIncomplete)
	}
	put(c, t, e.Key(), P(e.clone()))
	c.changed = true
	return nil
}

// remove deletes the indexed entry under key.
func remove[E any, P entryPtr[E]](c *Cache, t *table[E], key string) bool {
	old, ok := t.entries[key]
	if !ok {
		return false
	}
	P(old).index(&c.idx, key, false)
	delete(t.entries, key)
	c.changed = true
	return true
}

// copyTable copies every entry of src into dst, re-indexing as it goes.
func copyTable[E any, P entryPtr[E]](c *Cache, dst, src *table[E]) {
	for key, e := range src.entries {
		put(c, dst, key, P(P(e).clone()))
	}
	for key, e := range src.orphans {
		dst.orphans[key] = P(e).clone()
	}
}

// Clone returns a deep copy of the cache; the copy's state-changed flag
// equals the original's.
func (c *Cache) Clone() *Cache {
	d := New()
	copyTable(d, &d.accessTokens, &c.accessTokens)
	copyTable(d, &d.refreshTokens, &c.refreshTokens)
	copyTable(d, &d.idTokens, &c.idTokens)
	copyTable(d, &d.accounts, &c.accounts)
	copyTable(d, &d.appMetadata, &c.appMetadata)
	for key, m := range c.metadata {
		d.metadata[key] = m.clone()
	}
	for name, raw := range c.sections {
		d.sections[name] = bytes.Clone(raw)
	}
	d.changed = c.changed
	return d
}

// Counts is the number of entries per section, unindexed ones included.
type Counts struct {
	AccessTokens  int
	RefreshTokens int
	IDTokens      int
	Accounts      int
	AppMetadata   int
	// Unindexed counts the entries (of any section) kept under their
	// original key because they lack fields a lookup needs.
	Unindexed int
}

// Counts returns the number of entries per section.
func (c *Cache) Counts() Counts {
	return Counts{
		AccessTokens:  c.accessTokens.len(),
		RefreshTokens: c.refreshTokens.len(),
		IDTokens:      c.idTokens.len(),
		Accounts:      c.accounts.len(),
		AppMetadata:   c.appMetadata.len(),
		Unindexed: len(c.accessTokens.orphans) + len(c.refreshTokens.orphans) +
			len(c.idTokens.orphans) + len(c.accounts.orphans) + len(c.appMetadata.orphans),
	}
}

// Len returns the number of entries in the five MSAL sections.
func (c *Cache) Len() int {
	n := c.Counts()
	return n.AccessTokens + n.RefreshTokens + n.IDTokens + n.Accounts + n.AppMetadata
}

// HasStateChanged reports whether the cache was modified since it was
// created, parsed or last reset, as MSAL Python's has_state_changed does;
// the vault uses it to skip writing an unchanged cache. Parse leaves it
// false even when it re-keyed entries.
func (c *Cache) HasStateChanged() bool { return c.changed }

// ResetStateChanged clears the flag HasStateChanged reports, typically
// after the cache was written out.
func (c *Cache) ResetStateChanged() { c.changed = false }

// String summarises the cache without any entry content. The display
// methods take a value receiver so that printing a dereferenced Cache, or a
// struct holding one, is covered too.
func (c Cache) String() string {
	n := (&c).Counts()
	return fmt.Sprintf("cache.Cache{AccessTokens:%d RefreshTokens:%d IDTokens:%d Accounts:%d AppMetadata:%d}",
		n.AccessTokens, n.RefreshTokens, n.IDTokens, n.Accounts, n.AppMetadata)
}

// GoString returns the same summary as String, because the default %#v
// would walk unexported maps and print token strings.
func (c Cache) GoString() string { return c.String() }

// Format prints the summary for every verb, for the same reason as GoString.
func (c Cache) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, c.String()) }

// LogValue lets log/slog show the summary only.
func (c Cache) LogValue() slog.Value { return slog.StringValue(c.String()) }
