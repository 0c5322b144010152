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

// msalStdinLimit bounds a cache read from standard input; the Azure CLI's
// cache of a busy user is a few megabytes.
const msalStdinLimit = 256 << 20

// importMSALStdin merges a plain MSAL cache read from r into the vault, as
// vault.ImportMSAL does for a file.
func importMSALStdin(ctx context.Context, v *vault.Vault, r io.Reader) (vault.ImportReport, error) {
	data, err := io.ReadAll(io.LimitReader(r, msalStdinLimit+1))
	if err != nil {
		return vault.ImportReport{}, fmt.Errorf("import: standard input: %w", err)
	}
	if len(data) > msalStdinLimit {
		return vault.ImportReport{}, fmt.Errorf("import: standard input holds more than %d MiB: not an MSAL cache", msalStdinLimit>>20)
	}
	in, err := cache.Parse(data)
	if err != nil {
		return vault.ImportReport{}, fmt.Errorf("import: standard input is not a plain MSAL cache (%w)", err)
	}
	rep := vault.ImportReport{AccountsInFile: in.Counts().Accounts, Imported: in.Counts()}
	err = v.Update(ctx, func(c *cache.Cache) error {
		rep.AccountsBefore = c.Counts().Accounts
		c.Merge(in)
		rep.AccountsAfter = c.Counts().Accounts
		return nil
	})
	return rep, err
}

// exportMSALStdout writes the vault as a plain MSAL cache to w, which the
// caller made sure is not a terminal: tokens are not for the screen.
func exportMSALStdout(ctx context.Context, v *vault.Vault, w io.Writer) error {
	var data []byte
	err := v.Read(ctx, cache.Hint{}, func(c *cache.Cache) error {
		var err error
		data, err = c.Marshal()
		return err
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	_, err = w.Write(data)
	return err
}
