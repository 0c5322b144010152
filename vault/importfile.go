package vault

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"acctui/engine/cache"
)

// maxImportSize bounds the file an import reads: a cache of 10 000
// accounts is some 60 MB, and /dev/zero must end in an error, not in the
// OOM killer. A variable so tests need not read 512 MB.
var maxImportSize int64 = 512 << 20

// Limits on the unknown sections an imported MSAL file may bring in.
const (
	// maxUnknownSection and maxUnknownTotal bound the sections acctui does
	// not know that an import keeps. They land in the shared record, which
	// every `acctui token` decrypts and parses, so a large one would slow
	// every later command; sections past the bounds are dropped and named
	// in the ImportReport.
	maxUnknownSection = 64 << 10
	maxUnknownTotal   = 256 << 10
)

// DroppedSection is an unknown top-level section of an imported file that
// was not kept, because it or the unknown sections before it were too large.
type DroppedSection struct {
	// Name is the section's name as the file spells it; it came from the
	// file, so sanitise it before printing it.
	Name string
	// Bytes is the size of its JSON value.
	Bytes int
	// Reason says why it was dropped: "" when it was too large.
	Reason string
}

// droppedAcctuiOwn is the Reason for acctui's own metadata section, which
// an import never takes.
const droppedAcctuiOwn = "acctui's own settings are never imported"

// knownSections are the top-level sections cache.Parse reads; their entry
// keys are de-duplicated the way Python's json does.
var knownSections = map[string]bool{
	cache.SectionAccessToken:  true,
	cache.SectionRefreshToken: true,
	cache.SectionIDToken:      true,
	cache.SectionAccount:      true,
	cache.SectionAppMetadata:  true,
	cache.SectionMetadata:     true,
}

// readImportFile reads a user-named file up to maxImportSize. It returns
// when ctx is cancelled even if open or read blocks (a FIFO no one writes
// to): the blocked goroutine is left behind, and the file is closed under
// it when it was open.
func readImportFile(ctx context.Context, path string) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	opened := make(chan *os.File, 1)
	limit := maxImportSize
	go func() {
		f, err := os.Open(path)
		if err != nil {
			done <- result{err: err}
			return
		}
		opened <- f
		defer f.Close()
		var buf bytes.Buffer
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() <= limit {
			buf.Grow(int(st.Size()) + bytes.MinRead) // one allocation, not a doubling series
		}
		_, err = buf.ReadFrom(io.LimitReader(f, limit+1))
		data := buf.Bytes()
		if err == nil && int64(len(data)) > limit {
			err = fmt.Errorf("%s is larger than %d MB, too large for a token cache", path, max(limit>>20, 1))
		}
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		select {
		case f := <-opened:
			f.Close() // wakes a read blocked on a pipe
		default:
		}
		return nil, ctx.Err()
	}
}

// normalizeImport rewrites an MSAL cache file so that cache.Parse reads it
// the way MSAL Python's json.load does, and caps what acctui keeps of it:
//
//   - a top-level name that occurs twice keeps its last value, in the place
//     of its first occurrence (Python's dict), instead of the two sections
//     being united;
//   - within a known section, an entry key that occurs twice keeps its last
//     entry, whichever is newer;
//   - unknown sections are kept up to maxUnknownSection each and
//     maxUnknownTotal together, in file order; the rest are returned as
//     dropped.
//
// Input with nothing to change is returned as it is, and so is input that
// is not a JSON object, with valid false: cache.Parse then says what is
// wrong in its words.
func normalizeImport(data []byte) (doc []byte, dropped []DroppedSection, valid bool) {
	if !json.Valid(data) {
		return data, nil, false
	}
	top, changed, err := lastWins(data)
	if err != nil {
		return data, nil, false
	}
	kept := 0
	vals := make([][]byte, len(top))
	for i, m := range top {
		vals[i] = m.val
		if m.key == cache.SectionMetadata {
			changed = true // never imported: see the output loop
			continue
		}
		if !knownSections[m.key] {
			if len(m.val) > maxUnknownSection || kept+len(m.val) > maxUnknownTotal {
				changed = true
			} else {
				kept += len(m.val)
			}
			continue
		}
		if entries, dup, err := lastWins(m.val); err == nil && dup {
			vals[i], changed = renderObject(entries), true
		}
	}
	if !changed {
		return data, nil, true
	}
	kept = 0
	out := make([]byte, 0, len(data))
	out = append(out, '{')
	for i, m := range top {
		val := vals[i]
		if m.key == cache.SectionMetadata {
			// acctui's own section: settings, cached discovery documents
			// and throttling. Taken from a file it could name another
			// token endpoint for this vault's refresh tokens, or plant
			// an app's credential; no MSAL client writes it.
			dropped = append(dropped, DroppedSection{Name: m.key, Bytes: len(val), Reason: droppedAcctuiOwn})
			continue
		}
		if !knownSections[m.key] {
			if len(val) > maxUnknownSection || kept+len(val) > maxUnknownTotal {
				dropped = append(dropped, DroppedSection{Name: m.key, Bytes: len(val)})
				continue
			}
			kept += len(val)
		}
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = appendString(out, m.key)
		out = append(out, ':')
		out = append(out, val...)
	}
	return append(out, '}'), dropped, true
}

// lastWins returns the members of a JSON object in the order of their
// first occurrence, each with the value of its last, and whether a name
// occurred twice; an error when b is not an object.
func lastWins(b []byte) (list []member, dup bool, err error) {
	at := map[string]int{}
	err = eachMember(b, func(key string, val []byte) error {
		if i, ok := at[key]; ok {
			list[i].val = val
			dup = true
			return nil
		}
		at[key] = len(list)
		list = append(list, member{key, val})
		return nil
	})
	if err != nil {
		return nil, false, errors.Join(errScan, err)
	}
	return list, dup, nil
}

// renderObject writes members as one JSON object.
func renderObject(list []member) []byte {
	size := 2
	for _, m := range list {
		size += len(m.key) + len(m.val) + 4
	}
	out := make([]byte, 0, size)
	out = append(out, '{')
	for i, m := range list {
		if i > 0 {
			out = append(out, ',')
		}
		out = appendString(out, m.key)
		out = append(out, ':')
		out = append(out, m.val...)
	}
	return append(out, '}')
}
