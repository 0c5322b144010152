package vault_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"acctui/engine/cache"
	"acctui/vault"
)

// damage is one way a vault can fail to open, and the error it must give.
type damage struct {
	name string
	// break_ changes the setup: the file's bytes, the options or the
	// keyring directory.
	break_ func(t *testing.T, v *vault.Vault, opts *vault.Options, file []byte) []byte
	want   error
	// hintedReadWorks: a read of another account still succeeds, and so
	// does everything that reads only the index.
	hintedReadWorks bool
}

// indexOnly are the calls that decrypt no record.
// ImportMSAL of a file with no entries reads the summaries only.
var indexOnly = map[string]bool{"Accounts": true, "ResolveAccount": true, "Status": true, "ImportMSAL": true}

func TestFailureLeavesEverythingAsItWas(t *testing.T) {
	damages := []damage{
		{name: "wrong passphrase", want: vault.ErrWrongPassphrase,
			break_: func(t *testing.T, v *vault.Vault, opts *vault.Options, file []byte) []byte {
				opts.Getenv = env{testPassphraseEnv: "not the passphrase"}.get
				return file
			}},
		{name: "missing key", want: vault.ErrKeyMissing,
			break_: func(t *testing.T, v *vault.Vault, opts *vault.Options, file []byte) []byte {
				if err := os.RemoveAll(filepath.Join(opts.Dir, "keyring")); err != nil {
					t.Fatal(err)
				}
				return file
			}},
		{name: "both meta pages flipped", want: vault.ErrCorrupt,
			break_: func(t *testing.T, v *vault.Vault, opts *vault.Options, file []byte) []byte {
				page := os.Getpagesize() // bbolt's page size
				file[40] ^= 0x40
				file[page+40] ^= 0x40
				return file
			}},
		{name: "manifest byte flipped", want: vault.ErrCorrupt,
			break_: func(t *testing.T, v *vault.Vault, opts *vault.Options, file []byte) []byte {
				off, n, ok := v.ManifestSpan()
				if !ok {
					t.Fatal("no manifest")
				}
				file[off+n/2] ^= 0x01
				return file
			}},
		{name: "record byte flipped", want: vault.ErrCorrupt, hintedReadWorks: true,
			break_: func(t *testing.T, v *vault.Vault, opts *vault.Options, file []byte) []byte {
				off, n, ok := v.RecordSpan(strings.ToLower(homeID(1)))
				if !ok {
					t.Fatal("no record for account 1")
				}
				file[off+n/2] ^= 0x01
				return file
			}},
		{name: "truncated", want: vault.ErrCorrupt,
			break_: func(t *testing.T, v *vault.Vault, opts *vault.Options, file []byte) []byte {
				return file[:len(file)/2]
			}},
		{name: "truncated in the meta pages", want: vault.ErrCorrupt,
			break_: func(t *testing.T, v *vault.Vault, opts *vault.Options, file []byte) []byte {
				return file[:20]
			}},
		{name: "empty file", want: vault.ErrCorrupt,
			break_: func(t *testing.T, v *vault.Vault, opts *vault.Options, file []byte) []byte {
				return file[:0]
			}},
		{name: "not a vault", want: vault.ErrCorrupt,
			break_: func(t *testing.T, v *vault.Vault, opts *vault.Options, file []byte) []byte {
				return []byte(`{"AccessToken": {}}`)
			}},
		{name: "unknown version", want: vault.ErrUnsupportedVersion,
			break_: func(t *testing.T, v *vault.Vault, opts *vault.Options, _ []byte) []byte {
				if err := vault.SetStoreFormat(v.Path(), "4"); err != nil {
					t.Fatal(err)
				}
				file, err := os.ReadFile(v.Path())
				if err != nil {
					t.Fatal(err)
				}
				return file
			}},
	}
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			opts := fileOptions(t)
			v := open(t, opts)
			fill(t, v, 0, 3, 40)
			file, err := os.ReadFile(v.Path())
			if err != nil {
				t.Fatal(err)
			}
			file = d.break_(t, v, &opts, file)
			if err := os.WriteFile(v.Path(), file, 0o600); err != nil {
				t.Fatal(err)
			}
			before := snapshotDir(t, filepath.Dir(opts.Dir))

			w := open(t, opts)
			exportPath := filepath.Join(t.TempDir(), "export.json")
			importPath := filepath.Join(t.TempDir(), "import.json")
			if err := os.WriteFile(importPath, []byte(`{"Account": {}}`), 0o600); err != nil {
				t.Fatal(err)
			}
			calls := map[string]func() error{
				"Read": func() error { return w.Read(ctx, cache.Hint{}, func(*cache.Cache) error { return nil }) },
				"Update": func() error {
					return w.Update(ctx, func(c *cache.Cache) error { return addAccount(c, 9, 10) })
				},
				"Write": func() error {
					return w.Write(ctx, cache.Hint{HomeAccountID: homeID(1)}, func(c *cache.Cache) error { return addAccount(c, 1, 10) })
				},
				"Accounts":       func() error { _, err := w.Accounts(ctx); return err },
				"ResolveAccount": func() error { _, err := w.ResolveAccount(ctx, username(0)); return err },
				"Status":         func() error { _, err := w.Status(ctx); return err },
				"ImportMSAL":     func() error { _, err := w.ImportMSAL(ctx, importPath); return err },
				"ExportPlaintext": func() error {
					return w.ExportPlaintext(ctx, exportPath)
				},
			}
			for name, call := range calls {
				err := call()
				if d.hintedReadWorks && indexOnly[name] {
					if err != nil {
						t.Errorf("%s reads only the index, yet: %v", name, err)
					}
					continue
				}
				if !errors.Is(err, d.want) {
					t.Errorf("%s: error %v, want %v", name, err, d.want)
				}
				if err != nil && strings.Contains(err.Error(), "AT.") {
					t.Errorf("%s: error mentions a token: %v", name, err)
				}
			}
			if _, err := os.Stat(exportPath); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("export file written from a vault that did not open: %v", err)
			}
			err = w.Read(ctx, cache.Hint{HomeAccountID: homeID(2)}, func(c *cache.Cache) error {
				if len(c.Accounts()) != 1 {
					t.Errorf("hinted read of account 2 got %d accounts", len(c.Accounts()))
				}
				return nil
			})
			if d.hintedReadWorks && err != nil {
				t.Errorf("hinted read of an intact record: %v", err)
			}
			if !d.hintedReadWorks && !errors.Is(err, d.want) {
				t.Errorf("hinted read: error %v, want %v", err, d.want)
			}
			sameDir(t, filepath.Dir(opts.Dir), before)
		})
	}
}

func TestResetMovesTheOldFileAside(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	v := open(t, opts)
	fill(t, v, 0, 2, 10)
	st1, _ := v.Status(ctx)
	off, n, ok := v.ManifestSpan()
	if !ok {
		t.Fatal("no manifest")
	}
	file, _ := os.ReadFile(v.Path())
	file[off+n/2] ^= 1 // damaged: reset is the way out
	os.WriteFile(v.Path(), file, 0o600)

	w := open(t, opts)
	if err := w.Read(ctx, cache.Hint{}, func(*cache.Cache) error { return nil }); !errors.Is(err, vault.ErrCorrupt) {
		t.Fatalf("Read: %v", err)
	}
	moved, err := w.Reset(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(filepath.Base(moved), vault.DBFileName+".") || !strings.HasSuffix(moved, "Z.bak") {
		t.Errorf("moved to %q", moved)
	}
	// the stub went aside with it, and the new vault has one of its own
	stubs, _ := filepath.Glob(filepath.Join(opts.Dir, vault.FileName+".*Z.bak"))
	stub, _ := os.ReadFile(filepath.Join(opts.Dir, vault.FileName))
	if len(stubs) != 1 || !strings.HasPrefix(string(stub), "ACCTUIVT\x00\x03") {
		t.Errorf("stubs moved aside: %v; stub now %q", stubs, stub)
	}
	if got, _ := os.ReadFile(moved); string(got) != string(file) {
		t.Error("the backup differs from the old file")
	}
	st2, err := w.Status(ctx)
	if err != nil || !st2.Exists || st2.Accounts != 0 || st2.KeyID == st1.KeyID {
		t.Errorf("after reset: %+v, %v (old key id %s)", st2, err, st1.KeyID)
	}
	fill(t, w, 5, 6, 10)
	if got := usernames(t, open(t, opts)); len(got) != 1 || got[0] != username(5) {
		t.Errorf("after reset and a write: %v", got)
	}
	// A second reset in the same second finds another name.
	moved2, err := w.Reset(ctx)
	if err != nil || moved2 == moved {
		t.Errorf("second reset: %q, %v", moved2, err)
	}
}

func TestNoPassphrase(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	fill(t, open(t, opts), 0, 1, 10)

	opts.Getenv = env{}.get
	err := open(t, opts).Read(ctx, cache.Hint{}, func(*cache.Cache) error { return nil })
	if !errors.Is(err, vault.ErrNoPassphrase) || !strings.Contains(err.Error(), testPassphraseEnv) {
		t.Errorf("without a passphrase: %v", err)
	}

	var prompts []string
	opts.Passphrase = func(_ context.Context, prompt string) (string, error) {
		prompts = append(prompts, prompt)
		return testPassphrase, nil
	}
	if got := usernames(t, open(t, opts)); len(got) != 1 {
		t.Errorf("with the prompt: %v", got)
	}
	if len(prompts) != 1 {
		t.Errorf("prompted %d times, want once", len(prompts))
	}
	opts.Passphrase = func(context.Context, string) (string, error) { return "wrong", nil }
	err = open(t, opts).Read(ctx, cache.Hint{}, func(*cache.Cache) error { return nil })
	if !errors.Is(err, vault.ErrWrongPassphrase) {
		t.Errorf("wrong prompt answer: %v", err)
	}
}
