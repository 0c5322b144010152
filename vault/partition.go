package vault

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"acctui/engine/cache"
)

// sharedID is the id of the record that holds what belongs to no account.
const sharedID = ""

// partitioned are the sections whose entries carry a home_account_id and
// are split by it; every other section goes to the shared record whole.
var partitioned = map[string]bool{
	cache.SectionAccessToken:  true,
	cache.SectionRefreshToken: true,
	cache.SectionIDToken:      true,
	cache.SectionAccount:      true,
}

// recordID is the record a home account's entries live in.
func recordID(homeAccountID string) string { return strings.ToLower(homeAccountID) }

// member is one key and raw value of a JSON object.
type member struct {
	key string
	val []byte
}

// splitCache cuts a cache document (the output of (*cache.Cache).Marshal)
// into fragments, one per record id. Each fragment is a compact JSON object
// in the unified cache schema holding only the sections that have entries,
// with sections and keys sorted, so the same entries always give the same
// bytes and an unchanged account is recognised by comparing bytes. When a
// key occurs twice in a section the later entry wins.
func splitCache(data []byte) (map[string][]byte, error) {
	parts := map[string]map[string][]member{} // id → section → entries
	var whole []member
	err := eachMember(data, func(name string, sec []byte) error {
		if !partitioned[name] {
			if !isEmptyKnownSection(name, sec) {
				whole = append(whole, member{name, sec})
			}
			return nil
		}
		return eachMember(sec, func(key string, entry []byte) error {
			id := recordID(stringMembers(entry, "home_account_id")[0])
			p := parts[id]
			if p == nil {
				p = map[string][]member{}
				parts[id] = p
			}
			p[name] = append(p[name], member{key, entry})
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("vault: split cache: %w", err)
	}
	out := make(map[string][]byte, len(parts)+1)
	for id, p := range parts {
		if id != sharedID {
			out[id] = renderFragment(p, nil)
		}
	}
	if len(whole) > 0 || parts[sharedID] != nil {
		out[sharedID] = renderFragment(parts[sharedID], whole)
	}
	return out, nil
}

// isEmptyKnownSection reports an empty object in one of the sections Marshal
// always writes, which a fragment leaves out.
func isEmptyKnownSection(name string, raw []byte) bool {
	if name != cache.SectionAppMetadata && name != cache.SectionMetadata {
		return false
	}
	i := skipSpace(raw, 0)
	return i < len(raw) && raw[i] == '{' && skipSpace(raw, i+1) < len(raw) && raw[skipSpace(raw, i+1)] == '}'
}

// renderFragment writes entries (section → members) and whole sections as
// one compact JSON object, sections and keys sorted, the last of equal
// keys kept.
func renderFragment(entries map[string][]member, whole []member) []byte {
	sections := wholeSections(whole)
	size := 2
	for name, list := range entries {
		b := []byte{'{'}
		for _, m := range canonicalMembers(list) {
			if len(b) > 1 {
				b = append(b, ',')
			}
			b = appendString(b, m.key)
			b = append(b, ':')
			b = appendCompact(b, m.val)
		}
		sections[name] = append(b, '}')
	}
	for name, b := range sections {
		size += len(name) + len(b) + 4
	}
	out := make([]byte, 0, size)
	out = append(out, '{')
	for i, name := range slices.Sorted(maps.Keys(sections)) {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendString(out, name)
		out = append(out, ':')
		out = append(out, sections[name]...)
	}
	return append(out, '}')
}

// decodedName is name as a JSON decoder reads it back from the rendered
// fragment: each byte of invalid UTF-8 becomes U+FFFD.
func decodedName(name string) string {
	if utf8.ValidString(name) {
		return name
	}
	return string([]rune(name))
}

// wholeSections are whole sections by name, compacted, the last of one name
// kept.
func wholeSections(whole []member) map[string][]byte {
	sections := map[string][]byte{}
	for _, w := range whole {
		sections[w.key] = appendCompact(nil, w.val)
	}
	return sections
}

// canonicalMembers sorts a section's members by key, in place, and returns
// them without the earlier of equal keys: the members a rendered fragment
// lists.
func canonicalMembers(list []member) []member {
	slices.SortStableFunc(list, func(a, b member) int { return strings.Compare(a.key, b.key) })
	out := make([]member, 0, len(list))
	for i, m := range list {
		if i+1 < len(list) && list[i+1].key == m.key {
			continue // a later entry under the same key wins
		}
		out = append(out, m)
	}
	return out
}

// parseFragment gives what cache.Parse gives for renderFragment(entries,
// whole), without rendering and reading it again: each stored entry is
// decoded on its own.
func parseFragment(entries map[string][]member, whole []member) (*cache.Cache, error) {
	sections := map[string]json.RawMessage{}
	ws := wholeSections(whole)
	for _, name := range slices.Sorted(maps.Keys(ws)) { // the rendered order: the later of two names decoded alike wins
		raw := ws[name]
		if _, ok := entries[name]; ok {
			continue // the rendered entries replace it
		}
		if !json.Valid(raw) {
			return nil, fmt.Errorf("cache: parse: section %q is not valid JSON", name)
		}
		sections[decodedName(name)] = raw
	}
	var stored []cache.StoredEntry
	for name, list := range entries {
		for _, m := range canonicalMembers(list) {
			val := m.val
			if !isCompact(val) { // as the rendered fragment holds it
				val = appendCompact(nil, val)
			}
			stored = append(stored, cache.StoredEntry{Section: name, Key: decodedName(m.key), JSON: val})
		}
	}
	return cache.ParseEntries(stored, sections)
}

// mergeFragments unites fragments into one cache document for cache.Parse:
// the members of a section that several fragments hold are joined into one
// object. Fragments never share an entry key (the key starts with the home
// account id, which decides the fragment); if a damaged file made them, the
// later fragment's entry wins when parsed.
func mergeFragments(frags [][]byte) ([]byte, error) {
	if len(frags) == 1 {
		return frags[0], nil
	}
	sections := map[string][][]byte{}
	size := 2
	for _, frag := range frags {
		err := eachMember(frag, func(name string, val []byte) error {
			sections[name] = append(sections[name], val)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%w: a record is not a cache fragment: %v", ErrCorrupt, err)
		}
		size += len(frag)
	}
	out := make([]byte, 0, size)
	out = append(out, '{')
	for i, name := range slices.Sorted(maps.Keys(sections)) {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendString(out, name)
		out = append(out, ':')
		out = appendMergedSection(out, sections[name])
	}
	return append(out, '}'), nil
}

// appendMergedSection joins the members of objects; a section that is not
// an object everywhere (an unknown section only the shared record has)
// is written as its last value.
func appendMergedSection(out []byte, vals [][]byte) []byte {
	start := len(out)
	out = append(out, '{')
	for _, v := range vals {
		v = bytes.TrimSpace(v)
		if len(v) < 2 || v[0] != '{' {
			return append(out[:start], vals[len(vals)-1]...)
		}
		body := bytes.TrimSpace(v[1 : len(v)-1])
		if len(body) == 0 {
			continue
		}
		if len(out) > start+1 {
			out = append(out, ',')
		}
		out = append(out, body...)
	}
	return append(out, '}')
}

// summarize reads the Account entries of an account's fragment into its
// summary; ok is false when the fragment holds no Account entry.
func summarize(frag []byte) (AccountSummary, bool) {
	var b summaryBuilder
	_ = eachMember(frag, func(name string, sec []byte) error {
		if name != cache.SectionAccount {
			return nil
		}
		return eachMember(sec, func(_ string, entry []byte) error {
			b.add(entry)
			return nil
		})
	})
	return b.done()
}

// summarizeCreds is summarize of cs's fragment without rendering it: the
// Account entries of cs in key order, as the fragment lists them.
func summarizeCreds(cs creds) (AccountSummary, bool) {
	var accts []cred
	for _, c := range cs {
		if !c.whole && c.section == cache.SectionAccount {
			accts = append(accts, c)
		}
	}
	slices.SortFunc(accts, func(a, b cred) int { return strings.Compare(a.key, b.key) })
	var b summaryBuilder
	for _, c := range accts {
		b.add(c.val)
	}
	return b.done()
}

// summaryBuilder gathers a summary from Account entries, in order: the
// first names the home account.
type summaryBuilder struct {
	s  AccountSummary
	ok bool
}

func (b *summaryBuilder) add(entry []byte) {
	f := stringMembers(entry, "home_account_id", "username", "environment", "realm")
	if b.s.HomeAccountID == "" {
		b.s.HomeAccountID = f[0]
	}
	b.s.Usernames = appendUnique(b.s.Usernames, f[1])
	b.s.Environments = appendUnique(b.s.Environments, f[2])
	b.s.Realms = appendUnique(b.s.Realms, f[3])
	b.ok = true
}

func (b *summaryBuilder) done() (AccountSummary, bool) {
	slices.Sort(b.s.Usernames)
	slices.Sort(b.s.Environments)
	slices.Sort(b.s.Realms)
	return b.s, b.ok && b.s.HomeAccountID != ""
}

// appendUnique appends v unless it is empty or already there.
func appendUnique(list []string, v string) []string {
	if v == "" || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
