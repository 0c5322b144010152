package vault_test

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"

	"acctui/engine/cache"
	"acctui/vault"
)

// TestRootPageCycleIsDamage turns the root bucket's page of a format 3
// file into a branch page pointing at itself, where bbolt would recurse
// until the stack overflows and the process dies: every call gives
// ErrCorrupt naming the cycle and `vault reset`, nothing is written, and
// reset moves the file aside and starts a vault that works.
func TestRootPageCycleIsDamage(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	fill(t, open(t, opts), 0, 3, 10)
	v := open(t, opts)
	path := v.Path()
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// the newer of the two meta pages names the root page
	page := os.Getpagesize()
	meta := file[:page]
	if binary.LittleEndian.Uint64(file[page+64:]) > binary.LittleEndian.Uint64(file[64:]) {
		meta = file[page : 2*page]
	}
	root := int(binary.LittleEndian.Uint64(meta[32:]))
	p := file[root*page : (root+1)*page]
	binary.LittleEndian.PutUint16(p[8:], 0x01)          // branch
	binary.LittleEndian.PutUint16(p[10:], 1)            // one element
	binary.LittleEndian.PutUint32(p[16:], 16)           // its key right after it
	binary.LittleEndian.PutUint32(p[20:], 0)            // an empty key
	binary.LittleEndian.PutUint64(p[24:], uint64(root)) // pointing at its own page
	if err := os.WriteFile(path, file, 0o600); err != nil {
		t.Fatal(err)
	}
	before := snapshotDir(t, opts.Dir)

	w := open(t, opts)
	_, errAccounts := w.Accounts(ctx)
	_, errStatus := w.Status(ctx)
	errUpdate := w.Update(ctx, func(c *cache.Cache) error { return addAccount(c, 7, 10) })
	for name, err := range map[string]error{"Accounts": errAccounts, "Status": errStatus, "Update": errUpdate} {
		if !errors.Is(err, vault.ErrCorrupt) || !strings.Contains(err.Error(), "cycle") || !strings.Contains(err.Error(), "vault reset") {
			t.Errorf("%s = %v; want ErrCorrupt naming the cycle and vault reset", name, err)
		}
	}
	sameDir(t, opts.Dir, before)

	if _, err := w.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	fill(t, w, 4, 5, 10)
	if got, err := open(t, opts).Accounts(ctx); err != nil || len(got) != 1 {
		t.Errorf("after reset: %d accounts, %v", len(got), err)
	}
}
