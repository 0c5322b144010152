package vault

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"acctui/engine/cache"
	"acctui/internal/safetext"
)

// ImportReport counts what ImportMSAL did.
type ImportReport struct {
	// AccountsInFile is the number of Account entries in the imported file.
	AccountsInFile int
	// AccountsBefore and AccountsAfter are the vault's Account entries
	// before and after the import; an import never lowers the count.
	AccountsBefore int
	AccountsAfter  int
	// Imported counts the imported file's entries per section.
	Imported cache.Counts
	// Dropped are the file's top-level sections that were not kept:
	// unknown ones too large to keep, and acctui's own metadata section,
	// which an import never takes (see importPlan.unknownSections).
	Dropped []DroppedSection
}

// String summarises the report for people, e.g. "2 accounts in the file;
// the vault had 3, now 5".
func (r ImportReport) String() string {
	s := fmt.Sprintf("%d %s in the file; the vault had %d, now %d",
		r.AccountsInFile, plural(r.AccountsInFile, "account", "accounts"), r.AccountsBefore, r.AccountsAfter)
	if len(r.Dropped) == 0 {
		return s
	}
	names := make([]string, 0, len(r.Dropped))
	total := 0
	var large []DroppedSection
	for _, d := range r.Dropped {
		if d.Reason != "" {
			s += fmt.Sprintf("; ignored its %q section (%s)", safetext.Line(d.Name), d.Reason)
			continue
		}
		large = append(large, d)
	}
	if len(large) == 0 {
		return s
	}
	for i, d := range large {
		total += d.Bytes
		if i == 5 {
			names = append(names, fmt.Sprintf("and %d more", len(large)-5))
			break
		}
		names = append(names, strconv.Quote(safetext.Line(d.Name)))
	}
	return fmt.Sprintf("%s; dropped %d unknown %s (%d bytes, over the %d KB kept): %s", s, len(large),
		plural(len(large), "section", "sections"), total, maxUnknownTotal>>10, strings.Join(names, ", "))
}

// plural picks the word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// ImportMSAL merges a plain MSAL token cache file (the Azure CLI's
// ~/.azure/msal_token_cache.json, MSAL Python's SerializableTokenCache, MSAL
// Go's or .NET's) into the vault. It never drops an entry the vault has:
// for an entry both hold, the newer one wins (see cache.Merge). The file is
// read as MSAL Python reads it (a repeated name keeps its last value) and
// with bounds: at most 512 MB, and unknown sections only up to 256 KB, the
// rest named in the report. Cancelling ctx ends a read that blocks.
//
// A regular file is streamed, never held whole: it is read twice, and an
// import stops with an error, changing nothing, if the file changed in
// between. Into a new vault the import is written in several bbolt
// transactions to a file that replaces the vault only when complete; into
// an existing one, in one transaction.
func (v *Vault) ImportMSAL(ctx context.Context, path string) (ImportReport, error) {
	src, err := openImportFile(ctx, path)
	if err != nil {
		return ImportReport{}, fmt.Errorf("vault: import: %w", err)
	}
	defer src.close()
	return v.importFrom(ctx, path, src.r, maxImportSize)
}

// ImportMSALData is ImportMSAL for a file already read (the command line
// reads it with its own size limit, cancellable); path names it in errors.
func (v *Vault) ImportMSALData(ctx context.Context, path string, data []byte) (ImportReport, error) {
	return v.importFrom(ctx, path, bytes.NewReader(data), max(maxImportSize, int64(len(data))))
}

// importFrom imports the MSAL file src of at most limit bytes: a first
// pass plans it, a second writes it record by record (see importPlan).
func (v *Vault) importFrom(ctx context.Context, path string, src io.ReaderAt, limit int64) (ImportReport, error) {
	plan, err := planImport(ctx, io.NewSectionReader(src, 0, limit+1), limit, path)
	if err == nil {
		err = plan.checkSuperseded(src)
	}
	var rep ImportReport
	var whole []cred
	if err == nil {
		whole, rep.Dropped, err = plan.unknownSections(src)
	}
	if err != nil {
		return ImportReport{}, fmt.Errorf("vault: import %s: %w", path, err)
	}
	j := &importJob{path: path, src: src, seed: plan.seed, records: plan.records(), whole: whole, size: plan.size}
	rep.AccountsBefore, rep.AccountsAfter, err = v.writeImport(ctx, j)
	if err != nil {
		return ImportReport{}, err
	}
	rep.Imported, rep.AccountsInFile = j.counts, j.counts.Accounts
	return rep, nil
}

// ExportPlaintext writes the whole cache, tokens included and UNENCRYPTED,
// as an MSAL unified cache file at path (mode 0600) that the Azure CLI or
// an MSAL app can read. It is the only way tokens leave the vault in the
// clear. It refuses to replace an existing file: the caller removes it
// first, on purpose. The file is made only once the vault has been read,
// and written a section at a time (cache.WriteForOtherClients); a failed
// export removes it.
func (v *Vault) ExportPlaintext(ctx context.Context, path string) error {
	return v.Read(ctx, cache.Hint{}, func(c *cache.Cache) error {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return fmt.Errorf("vault: export: %w", err)
		}
		if err := writeExport(f, c); err != nil {
			f.Close()
			os.Remove(path)
			return fmt.Errorf("vault: export: %w", err)
		}
		if err := f.Close(); err != nil {
			os.Remove(path)
			return fmt.Errorf("vault: export: %w", err)
		}
		return nil
	})
}

// writeExport writes the cache for other clients to f and makes it durable.
// WriteForOtherClients writes a whole section a call, so no buffer is
// needed between them.
func writeExport(f *os.File, c *cache.Cache) error {
	if err := c.WriteForOtherClients(f); err != nil {
		return err
	}
	return f.Sync()
}
