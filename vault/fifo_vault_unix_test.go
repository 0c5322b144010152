//go:build unix

package vault_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"acctui/engine/cache"
	"acctui/vault"
)

// TestVaultFileThatIsAPipeIsRefused: a named pipe where vault.acctui or
// vault.db should be (a hostile or mistaken file) is refused as damage.
// Opening a pipe to read it waits until something writes to it; the test
// holds the pipe's other end open with bytes waiting in it, so a vault
// that opens the pipe reads those instead of hanging, and the test fails
// on the message rather than by timing out.
func TestVaultFileThatIsAPipeIsRefused(t *testing.T) {
	for _, name := range []string{vault.FileName, vault.DBFileName} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			opts := fileOptions(t)
			fill(t, open(t, opts), 0, 1, 10)
			path := filepath.Join(opts.Dir, name)
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Skip("no named pipes here:", err)
			}
			end, err := os.OpenFile(path, os.O_RDWR, 0) // never waits
			if err != nil {
				t.Fatal(err)
			}
			defer end.Close()
			if _, err := end.WriteString("ACCTUIVT\x00\x03 and more than a reader takes"); err != nil {
				t.Fatal(err)
			}

			v := open(t, opts)
			err = v.Read(ctx, cache.Hint{}, func(*cache.Cache) error { return nil })
			if !errors.Is(err, vault.ErrCorrupt) || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("Read with a pipe for %s: %v", name, err)
			}
			if _, err := v.Accounts(ctx); !errors.Is(err, vault.ErrCorrupt) {
				t.Errorf("Accounts with a pipe for %s: %v", name, err)
			}
			if st, err := os.Lstat(path); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
				t.Errorf("the pipe was replaced: %v", err)
			}
		})
	}
}
