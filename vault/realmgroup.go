package vault

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"

	"acctui/engine/cache"
)

// An account's records are grouped by realm: a credential's tag is
// groupLen bytes naming its realm group, then the rest of a keyed hash of
// its name, so one cursor range (account tag ‖ group) holds one tenant's
// tokens and a realm-hinted read decrypts only those. The summary counts
// the records of each group (summary.Groups), so a damaged page that
// hides some is an error, as the total count makes it for a whole read.
//
// Accounts written before this layout (format 3 as first released) have
// tags made of the name alone and no layout mark: they are read whole, and
// their next write moves every record to its grouped tag (putAccount).
const (
	groupLen    = 8
	layoutRealm = 1 // summary.Layout of an account whose records are grouped
)

// group names one realm of one vault, keyed like every tag.
type group [groupLen]byte

// groupOf is the realm group of a record's tag.
func (t tag) groupOf() group {
	var g group
	copy(g[:], t[:groupLen])
	return g
}

// realmGrouped are the sections whose entries the engine looks up by
// realm; every other entry (refresh tokens, app metadata) goes in the
// group of realm "", which a realm-hinted read always loads.
var realmGrouped = map[string]bool{cache.SectionAccessToken: true, cache.SectionIDToken: true, cache.SectionAccount: true}

// realmGroup is the group of a realm; realms equal ignoring case share it.
func realmGroup(lookup []byte, realm string) group {
	t := makeTag(lookup, "realm", foldName(realm))
	return t.groupOf()
}

// credRealm is the realm a credential is grouped under: its entry's realm
// member for access tokens, ID tokens and Account entries, else "".
func credRealm(c cred) string {
	if c.whole || !realmGrouped[c.section] {
		return ""
	}
	return stringMembers(c.val, "realm")[0]
}

// credTag names a credential: its realm group, then its name's keyed hash.
// It is the one place a credential's tag is made.
func credTag(lookup []byte, c cred) tag {
	g := realmGroup(lookup, credRealm(c))
	n := makeTag(lookup, "cred", c.name())
	var t tag
	copy(t[:groupLen], g[:])
	copy(t[groupLen:], n[:tagLen-groupLen])
	return t
}

// retag is cs under the tags credTag makes now.
func retag(lookup []byte, cs creds) creds {
	out := make(creds, len(cs))
	for _, c := range cs {
		out[credTag(lookup, c)] = c
	}
	return out
}

// groupCounts counts credentials per realm group.
func groupCounts(cs creds) map[group]int {
	out := map[group]int{}
	for t := range cs {
		out[t.groupOf()]++
	}
	return out
}

// encodeGroups writes group counts for the summary: base64 of each group,
// in ascending order, followed by its count as a uvarint. An account in a
// thousand tenants has a thousand; JSON of them would cost every read of
// its summary more than this does.
func encodeGroups(counts map[group]int) string {
	gs := slices.SortedFunc(maps.Keys(counts), func(a, b group) int { return bytes.Compare(a[:], b[:]) })
	b := make([]byte, 0, len(gs)*(groupLen+2))
	for _, g := range gs {
		if counts[g] > 0 {
			b = append(b, g[:]...)
			b = binary.AppendUvarint(b, uint64(counts[g]))
		}
	}
	return base64.RawStdEncoding.EncodeToString(b)
}

// decodeGroups reads what encodeGroups wrote.
func decodeGroups(s string) (map[group]int, error) {
	out := map[group]int{}
	err := scanGroups(s, func(g group, n int) { out[g] = n })
	return out, err
}

// countGroups reads the counts of the groups gs only (0 for one not
// there), checking all of s as decodeGroups does but keeping no map of a
// thousand groups: what a realm-hinted read needs.
func countGroups(s string, gs []group) (map[group]int, error) {
	out := make(map[group]int, len(gs))
	for _, g := range gs {
		out[g] = 0
	}
	err := scanGroups(s, func(g group, n int) {
		if _, ok := out[g]; ok {
			out[g] = n
		}
	})
	return out, err
}

// scanGroups calls fn with each group and count of s, in order, and
// refuses groups out of order or repeated.
func scanGroups(s string, fn func(g group, n int)) error {
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("group counts: %w", err)
	}
	var last group
	for i := 0; len(b) > 0; i++ {
		if len(b) < groupLen+1 {
			return fmt.Errorf("group counts cut short")
		}
		var g group
		copy(g[:], b)
		if i > 0 && bytes.Compare(last[:], g[:]) >= 0 {
			return fmt.Errorf("group counts out of order")
		}
		n, k := binary.Uvarint(b[groupLen:])
		if k <= 0 || n == 0 || n > 1<<31 {
			return fmt.Errorf("group counts: a bad count")
		}
		fn(g, int(n))
		last = g
		b = b[groupLen+k:]
	}
	return nil
}
