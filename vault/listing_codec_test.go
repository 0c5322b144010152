package vault

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"acctui/overview"
)

// randomEntries are n entries whose strings repeat across entries, as an
// account's do, with some long enough for a multi-byte length.
func randomEntries(r *rand.Rand, n int) ([]tag, []overview.Entry) {
	pick := func(choices ...string) string { return choices[r.IntN(len(choices))] }
	long := string(make([]byte, 200))
	tags := make([]tag, n)
	entries := make([]overview.Entry, n)
	for i := range entries {
		for j := range tags[i] {
			tags[i][j] = byte(r.Uint32())
		}
		entries[i] = overview.Entry{
			Kind:          factKinds[r.IntN(len(factKinds))],
			HomeAccountID: pick("uid.utid", "UID.utid"),
			Environment:   pick("login.microsoftonline.com", "login.windows.net"),
			Realm:         pick("", "utid", "other"),
			ClientID:      pick("client", ""),
			Target:        pick("", "a b c", long),
			FamilyID:      pick("", "1"),
			Username:      pick("", "user@example", "ünïcode@example"),
			Name:          pick("", "Name", fmt.Sprint(i)),
			ExpiresOn:     r.Int64N(1<<40) - 1<<39,
			Modified:      int64(r.IntN(300)) - 150,
		}
		if n > 128 { // a table of more strings than one byte indexes
			entries[i].Name = fmt.Sprintf("unique %d", i)
		}
	}
	return tags, entries
}

// Encoding entries and walking them gives them back, with tags and
// without; every cut of an encoding is refused, never a panic.
func TestListingCodecRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// 40 entries: a table past the small one; 300: past 128 strings,
	// where an index takes two bytes
	for _, n := range []int{0, 1, 5, 40, 300} {
		tags, entries := randomEntries(r, n)
		for _, tagged := range []bool{true, false} {
			var enc []byte
			if tagged {
				enc = appendEntries(nil, tags, entries)
			} else {
				enc = packEntries(entries)
			}
			var gotTags []tag
			var got []overview.Entry
			if !walkEntries(enc, tagged, func(tg tag, e overview.Entry) { gotTags, got = append(gotTags, tg), append(got, e) }) {
				t.Fatalf("%d entries, tagged %v: the encoding does not walk", n, tagged)
			}
			if len(got) != n || n > 0 && !reflect.DeepEqual(got, entries) {
				t.Fatalf("%d entries, tagged %v: walked back\n%+v\nwant\n%+v", n, tagged, got, entries)
			}
			if tagged && n > 0 && !reflect.DeepEqual(gotTags, tags) {
				t.Errorf("%d entries: tags differ", n)
			}
			for cut := 1; cut < len(enc); cut++ {
				walked := 0
				if walkEntries(enc[:cut], tagged, func(tag, overview.Entry) { walked++ }) && walked == n {
					t.Fatalf("%d entries, tagged %v: cut at %d of %d still walks whole", n, tagged, cut, len(enc))
				}
			}
		}
	}
}

func FuzzWalkEntries(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 3} {
		tags, entries := randomEntries(r, n)
		f.Add(appendEntries(nil, tags, entries), true)
		f.Add(packEntries(entries), false)
	}
	f.Fuzz(func(t *testing.T, b []byte, tagged bool) {
		var entries []overview.Entry
		if !walkEntries(b, tagged, func(_ tag, e overview.Entry) { entries = append(entries, e) }) {
			return
		}
		// What walks re-encodes to what walks the same.
		again := packEntries(entries)
		var back []overview.Entry
		if !walkEntries(again, false, func(_ tag, e overview.Entry) { back = append(back, e) }) || len(back) != len(entries) ||
			len(back) > 0 && !reflect.DeepEqual(back, entries) {
			t.Fatalf("re-encoding %d walked entries does not give them back", len(entries))
		}
	})
}
