package vault

import (
	"hash/maphash"
	"io"

	"acctui/engine/cache"
)

// importRecordCreds reads a record's entries back from the file and files
// them as cache.Parse would (each under its canonical key, the newer of two
// on one key winning, on a tie the later; an entry lacking the fields of a
// key under its own key unless that is taken), giving the credentials a
// write of the parsed cache would store. Each entry is parsed once, by
// cache.ReadEntry. It also counts the record's entries per section.
// buf is a buffer to reuse.
func importRecordCreds(src io.ReaderAt, seed maphash.Seed, entries []*importEntry, buf *[]byte) ([]cred, cache.Counts, error) {
	type filed struct {
		stamp  int64
		val    []byte
		parsed any
	}
	type table struct {
		indexed map[string]filed
		order   []string // first filing order of indexed keys, for determinism
		orphans []cache.EntryInfo
	}
	tables := map[string]*table{}
	for _, e := range entries {
		raw, err := readSpan(src, e.at, seed, *buf)
		if err != nil {
			return nil, cache.Counts{}, err
		}
		*buf = raw
		info, err := cache.ReadEntry(e.section, e.key, raw)
		if err != nil {
			return nil, cache.Counts{}, err
		}
		t := tables[e.section]
		if t == nil {
			t = &table{indexed: map[string]filed{}}
			tables[e.section] = t
		}
		if !info.Indexed {
			t.orphans = append(t.orphans, info)
			continue
		}
		old, ok := t.indexed[info.Key]
		if ok && old.stamp > info.Stamp {
			continue
		}
		if !ok {
			t.order = append(t.order, info.Key)
		}
		t.indexed[info.Key] = filed{info.Stamp, info.JSON, info.Entry}
	}
	var out []cred
	var n cache.Counts
	for _, section := range entrySections {
		t := tables[section]
		if t == nil {
			continue
		}
		orphans := map[string]cache.EntryInfo{}
		var orphanOrder []string
		for _, o := range t.orphans {
			if _, taken := t.indexed[o.Key]; taken {
				continue
			}
			if _, ok := orphans[o.Key]; !ok {
				orphanOrder = append(orphanOrder, o.Key)
			}
			orphans[o.Key] = o
		}
		for _, key := range t.order {
			f := t.indexed[key]
			out = append(out, cred{section: section, key: key, val: f.val, listed: listedOf(f.parsed)})
		}
		for _, key := range orphanOrder {
			out = append(out, cred{section: section, key: key, val: orphans[key].JSON, listed: listedOf(orphans[key].Entry)})
		}
		count := len(t.order) + len(orphanOrder)
		switch section {
		case cache.SectionAccessToken:
			n.AccessTokens = count
		case cache.SectionRefreshToken:
			n.RefreshTokens = count
		case cache.SectionIDToken:
			n.IDTokens = count
		case cache.SectionAccount:
			n.Accounts = count
		case cache.SectionAppMetadata:
			n.AppMetadata = count
		}
		n.Unindexed += len(orphanOrder)
	}
	return out, n, nil
}

// addCounts adds b to a.
func addCounts(a *cache.Counts, b cache.Counts) {
	a.AccessTokens += b.AccessTokens
	a.RefreshTokens += b.RefreshTokens
	a.IDTokens += b.IDTokens
	a.Accounts += b.Accounts
	a.AppMetadata += b.AppMetadata
	a.Unindexed += b.Unindexed
}

// credsOf gives credentials their tags, as fragmentCreds does for a
// fragment's.
func credsOf(lookup []byte, list []cred) creds {
	out := make(creds, len(list))
	for _, c := range list {
		out[credTag(lookup, c)] = c
	}
	return out
}
