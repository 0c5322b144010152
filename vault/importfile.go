package vault

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"acctui/engine/cache"
)

// maxImportSize bounds the file an import reads: a cache of 10 000
// accounts is some 60 MB, and /dev/zero must end in an error, not in the
// OOM killer. A variable so tests need not read 512 MB.
var maxImportSize int64 = 512 << 20

// maxImportInMemory bounds an import from a pipe or device, which is read
// whole into memory (it cannot be read twice): 10 000 accounts.
const maxImportInMemory = 64 << 20

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

// importSource is an import's file: read once as a stream, then its
// entries again at their offsets.
type importSource struct {
	r     io.ReaderAt
	close func()
}

// openImportFile opens a user-named file for an import. A regular file is
// read where it is, never whole; anything else (a FIFO, a device) is read
// into memory up to maxImportSize. It returns when ctx is cancelled even
// if open or read blocks (a FIFO no one writes to): the blocked goroutine
// is left behind, and the file is closed under it when it was open.
func openImportFile(ctx context.Context, path string) (importSource, error) {
	type result struct {
		src importSource
		err error
	}
	done := make(chan result, 1)
	opened := make(chan *os.File, 1)
	limit := maxImportSize
	tooLarge := fmt.Errorf("%s is larger than %d MB, too large for a token cache", path, max(limit>>20, 1))
	go func() {
		f, err := os.Open(path)
		if err != nil {
			done <- result{err: err}
			return
		}
		opened <- f
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			if st.Size() > limit {
				f.Close()
				err = tooLarge
			}
			done <- result{importSource{r: f, close: func() { f.Close() }}, err}
			return
		}
		defer f.Close()
		// held whole in memory: bounded tighter than a file read in place
		limit := min(limit, maxImportInMemory)
		var buf bytes.Buffer
		_, err = buf.ReadFrom(io.LimitReader(f, limit+1))
		if err == nil && int64(buf.Len()) > limit {
			err = fmt.Errorf("%s is larger than %d MB, too large for a token cache read from a pipe or device", path, limit>>20)
		}
		done <- result{importSource{r: bytes.NewReader(buf.Bytes()), close: func() {}}, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return importSource{}, r.err
		}
		return r.src, nil
	case <-ctx.Done():
		select {
		case f := <-opened:
			f.Close() // wakes a read blocked on a pipe
		default:
		}
		return importSource{}, ctx.Err()
	}
}

// entryHomeID is the home_account_id an entry's value gives it as
// encoding/json reads it (the last member of the name wins), "" when it
// is absent, null or not a string. Member names are compared as they are
// spelled unless they hold an escape: no name is allocated.
func entryHomeID(entry []byte) string {
	var id string
	_, _ = walkObject(entry, skipSpace(entry, 0), func(name []byte, b []byte, i int) (int, error) {
		end, err := skipValue(b, i)
		if err != nil {
			return 0, err
		}
		if string(name) == "home_account_id" || bytes.IndexByte(name, '\\') >= 0 && escapedName(name) == "home_account_id" {
			id = ""
			if b[i] == '"' {
				id, _ = decodeKey(b[i:end])
			}
		}
		return end, nil
	})
	return id
}

// escapedName decodes a member name that holds an escape.
func escapedName(name []byte) string {
	q := make([]byte, 0, len(name)+2)
	q = append(append(append(q, '"'), name...), '"')
	s, _ := decodeKey(q)
	return s
}
