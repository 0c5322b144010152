package main

import (
	"context"
	"fmt"
	"io"

	"acctui/engine/cache"
	"acctui/vault"
)

// stdioFile is the file name that means standard input or output.
const stdioFile = "-"

// readStdinLimited reads a plain MSAL cache from standard input, refusing
// more than limit bytes as readUserFile does for a file.
func readStdinLimited(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("--msal -: standard input: %w", err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("--msal -: standard input is larger than %s; acctui reads at most that much from it", sizeText(limit))
	}
	return data, nil
}

// exportMSALStdout writes the vault as a plain MSAL cache to w, which the
// caller made sure is not a terminal: tokens are not for the screen. The
// vault is read whole first, so a vault that cannot be read writes
// nothing; the document is then written a section at a time.
func exportMSALStdout(ctx context.Context, v *vault.Vault, w io.Writer) error {
	err := v.Read(ctx, cache.Hint{}, func(c *cache.Cache) error {
		return c.WriteForOtherClients(w)
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
