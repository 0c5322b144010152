package vault_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/99designs/keyring"

	"acctui/engine/cache"
	"acctui/vault"
)

// benchAccounts is the size of the vaults the benchmarks use; benchSecret
// the length of each token, about that of an Entra access token.
const (
	benchAccounts = 1000
	benchSecret   = 1400
)

// benchVault returns options for a vault of benchAccounts accounts. With
// kernel set the key is kept in the kernel keyring, as for a user who
// turned the cache on; otherwise every open runs the file backend's PBKDF2.
func benchVault(b *testing.B, kernel bool) vault.Options {
	b.Helper()
	opts := fileOptions(b)
	if kernel {
		opts.ServiceName = kernelTestService(b, opts)
		opts.KeyctlCache = time.Hour
	}
	v := open(b, opts)
	fill(b, v, 0, benchAccounts, benchSecret)
	st, err := v.Status(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	if kernel {
		if _, err := vault.KernelGet(v.KernelName(st.KeyID)); err != nil {
			b.Skipf("no kernel keyring: %v", err)
		}
	}
	b.Logf("%d accounts: vault file %.1f MiB", benchAccounts, float64(st.Size)/(1<<20))
	return opts
}

// keySources runs a benchmark with the key from the file backend and from
// the kernel keyring cache.
func keySources(b *testing.B, fn func(b *testing.B, opts vault.Options)) {
	b.Run("key=file", func(b *testing.B) { fn(b, benchVault(b, false)) })
	b.Run("key=kernel", func(b *testing.B) { fn(b, benchVault(b, true)) })
}

// BenchmarkOpenReadWhole opens the vault as a new process would and
// decrypts and parses the whole cache.
func BenchmarkOpenReadWhole(b *testing.B) {
	keySources(b, func(b *testing.B, opts vault.Options) {
		for b.Loop() {
			v, _ := vault.Open(context.Background(), opts)
			err := v.Read(context.Background(), cache.Hint{}, func(c *cache.Cache) error {
				if len(c.Accounts()) != benchAccounts {
					b.Fatal("accounts missing")
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			v.Close()
		}
	})
}

// BenchmarkOpenReadHint is `acctui token`: a new process resolves a
// username from the index and reads that one account.
func BenchmarkOpenReadHint(b *testing.B) {
	keySources(b, func(b *testing.B, opts vault.Options) {
		ctx := context.Background()
		for b.Loop() {
			v, _ := vault.Open(context.Background(), opts)
			got, err := v.ResolveAccount(ctx, username(500))
			if err != nil || len(got) != 1 {
				b.Fatal(got, err)
			}
			err = v.Read(ctx, cache.Hint{HomeAccountID: got[0].HomeAccountID}, func(c *cache.Cache) error {
				if _, ok := c.FindAccessToken(cache.AccessTokenQuery{HomeAccountID: got[0].HomeAccountID}); !ok {
					b.Fatal("no access token")
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			v.Close()
		}
	})
}

// BenchmarkReadHintWarm is the TUI's read of one account from a Vault that
// already holds the file: a stat, then the in-memory records.
func BenchmarkReadHintWarm(b *testing.B) {
	v := open(b, benchVault(b, false))
	hint := cache.Hint{HomeAccountID: homeID(500)}
	for b.Loop() {
		if err := v.Read(context.Background(), hint, func(*cache.Cache) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// refreshOne replaces account i's access token, as a silent refresh does.
func refreshOne(c *cache.Cache, i int) error {
	now := time.Now().Unix()
	return c.SaveAccessToken(cache.AccessToken{HomeAccountID: homeID(i), Environment: testEnv, ClientID: testClientID,
		Realm: testTenant, Target: "https://graph.microsoft.com/.default",
		Secret: randomSecret("AT.", benchSecret), CachedAt: now, ExpiresOn: now + 3600, ExtendedExpiresOn: now + 3600})
}

// BenchmarkUpdateWhole changes one account through a whole-cache Update:
// lock, parse check, marshal and split everything, re-seal one record,
// write and fsync.
func BenchmarkUpdateWhole(b *testing.B) {
	v := open(b, benchVault(b, false))
	i := 0
	for b.Loop() {
		i++
		if err := v.Update(context.Background(), func(c *cache.Cache) error { return refreshOne(c, i%benchAccounts) }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteHint changes one account through a hinted Write, as the
// engine does after a refresh.
func BenchmarkWriteHint(b *testing.B) {
	v := open(b, benchVault(b, false))
	i := 0
	for b.Loop() {
		i++
		n := i % benchAccounts
		if err := v.Write(context.Background(), cache.Hint{HomeAccountID: homeID(n)}, func(c *cache.Cache) error { return refreshOne(c, n) }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkKeyringFileBlob is the design the vault replaces: the whole
// cache as one item of the keyring library's file backend, where every
// Get and Set runs PBKDF2 and JOSE over the whole blob.
func BenchmarkKeyringFileBlob(b *testing.B) {
	c := cache.New()
	for i := range benchAccounts {
		if err := addAccount(c, i, benchSecret); err != nil {
			b.Fatal(err)
		}
	}
	blob, err := c.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "keyring")
	ring, err := keyring.Open(keyring.Config{
		AllowedBackends:  []keyring.BackendType{keyring.FileBackend},
		FileDir:          dir,
		FilePasswordFunc: keyring.FixedStringPrompt(testPassphrase),
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := ring.Set(keyring.Item{Key: "cache", Data: blob}); err != nil {
		b.Fatal(err)
	}
	if info, err := os.Stat(filepath.Join(dir, "cache")); err == nil {
		b.Logf("keyring item %.1f MiB", float64(info.Size())/(1<<20))
	}
	b.Run("Get+Parse", func(b *testing.B) {
		for b.Loop() {
			item, err := ring.Get("cache")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := cache.Parse(item.Data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Marshal+Set", func(b *testing.B) {
		for b.Loop() {
			data, err := c.Marshal()
			if err != nil {
				b.Fatal(err)
			}
			if err := ring.Set(keyring.Item{Key: "cache", Data: data}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
