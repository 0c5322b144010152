package tui

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/engine/idptest"
	"acctui/tui/accounts"
	"acctui/vault"
)

// syntheticStore is a cache of n accounts, each with an access, a refresh
// and an ID token, as a big tenant's admin might have.
func syntheticStore(b testing.TB, n int, now time.Time) *engine.MemoryStore {
	b.Helper()
	const env = "login.microsoftonline.com"
	tid := idptest.ContosoTenantID
	c := cache.New()
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	for i := range n {
		oid := fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
		home := oid + "." + tid
		user := fmt.Sprintf("user%04d@contoso.example", i)
		claims, _ := json.Marshal(map[string]any{
			"name": fmt.Sprintf("User %04d", i), "preferred_username": user, "oid": oid, "tid": tid,
			"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
		})
		idt := header + "." + enc.EncodeToString(claims) + ".c2ln"
		must(b, c.SaveAccount(cache.Account{HomeAccountID: home, Environment: env, Realm: tid, LocalAccountID: oid, Username: user, AuthorityType: cache.AuthorityTypeMSSTS}))
		must(b, c.SaveAccessToken(cache.AccessToken{HomeAccountID: home, Environment: env, ClientID: idptest.AzureCLIClientID, Realm: tid,
			Target: "https://graph.microsoft.com/.default", Secret: "at", CachedAt: now.Unix(), ExpiresOn: now.Add(time.Duration(i%90) * time.Minute).Unix()}))
		must(b, c.SaveRefreshToken(cache.RefreshToken{HomeAccountID: home, Environment: env, ClientID: idptest.AzureCLIClientID,
			Target: "https://graph.microsoft.com/.default", Secret: "rt", FamilyID: "1"}, now.Unix()))
		must(b, c.SaveIDToken(cache.IDToken{HomeAccountID: home, Environment: env, Realm: tid, ClientID: idptest.AzureCLIClientID, Secret: cache.Secret(idt)}))
	}
	return engine.NewMemoryStore(c)
}

func must(b testing.TB, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

func benchBackend(b *testing.B, n int) (Backend, func() time.Time) {
	now := func() time.Time { return epoch }
	store := syntheticStore(b, n, epoch)
	client, err := engine.New(engine.Config{ClientID: idptest.AzureCLIClientID, Authority: "https://login.microsoftonline.com/organizations", Cache: store, Now: now})
	if err != nil {
		b.Fatal(err)
	}
	return NewEngineBackend(client, store, graph, now), now
}

// BenchmarkStartToFirstFrame measures what a start with 1 000 and 10 000
// accounts costs before the first frame: the model, the accounts-loaded
// message, the window size, one View. "with-cache-read" includes reading the
// cache into the overview (the backend's Accounts); "model" starts from the
// list.
func BenchmarkStartToFirstFrame(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		backend, now := benchBackend(b, n)
		loaded, err := backend.Accounts(context.Background())
		if err != nil || len(loaded) != n {
			b.Fatal(len(loaded), err)
		}
		for _, withRead := range []bool{true, false} {
			name := "model"
			if withRead {
				name = "with-cache-read"
			}
			b.Run(fmt.Sprintf("%d/%s", n, name), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					m := New(Options{Backend: backend, Now: now, ClipboardWriter: &fakeClipboard{}}).(*model)
					list := loaded
					if withRead {
						list, _ = backend.Accounts(context.Background())
					}
					m.Update(accounts.LoadedMsg{Accounts: list})
					m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
					if v := m.View(); len(v.Content) == 0 {
						b.Fatal("empty frame")
					}
				}
			})
		}
	}
}

// BenchmarkFilterKeystroke measures one keystroke typed into the filter
// over 1 000 and 10 000 accounts: Update, the filtering command, its
// result, View.
func BenchmarkFilterKeystroke(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			backend, now := benchBackend(b, n)
			e := &env{backend: backend}
			h := &harness{t: b, env: e, m: newModel(Options{Backend: backend, Now: now, ClipboardWriter: &fakeClipboard{}, tick: fakeTick})}
			h.run(h.m.Init(), false)
			h.send(tea.WindowSizeMsg{Width: 120, Height: 40})
			h.press("/")
			h.typeText("user0")
			keys := []tea.KeyPressMsg{keyMsg("4"), keyMsg("backspace")}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				h.send(keys[i%2])
				i++
				if v := h.m.View(); len(v.Content) == 0 {
					b.Fatal("empty frame")
				}
			}
		})
	}
}

// fileStamped is the benchmark's backend with a stamp of a real file, as the
// vault's.
type fileStamped struct {
	Backend
	path string
}

func (f fileStamped) Stamp(context.Context) (string, error) {
	info, err := os.Stat(f.path)
	if err != nil {
		return "", err
	}
	return fmt.Sprint(info.ModTime().UnixNano(), info.Size()), nil
}

// BenchmarkIdleMinute is one minute of an idle TUI with the live list over
// 1 000 accounts whose badges count down in seconds: every wake of the live
// timer (the badge ticks and the vault checks, a stat each), with the frame
// drawn after each, as the runtime would. ns/op is the CPU time one idle
// minute costs (divide by 60 s for the share of a core).
func BenchmarkIdleMinute(b *testing.B) {
	backend, _ := benchBackend(b, 1000)
	vaultFile := filepath.Join(b.TempDir(), "vault")
	must(b, os.WriteFile(vaultFile, []byte("x"), 0o600))
	clock := epoch
	now := func() time.Time { return clock }
	m := newModel(Options{Backend: fileStamped{backend, vaultFile}, Now: now, ClipboardWriter: &fakeClipboard{}, tick: fakeTick})
	h := &harness{t: b, env: &env{backend: backend}, m: m}
	h.run(m.Init(), false)
	h.send(tea.WindowSizeMsg{Width: 120, Height: 40})
	wakes := 0
	b.ReportAllocs()
	for b.Loop() {
		for end := clock.Add(time.Minute); clock.Before(end); {
			var next *tickReq
			for i := range h.ticks {
				if isLive(h.ticks[i]) && (next == nil || h.ticks[i].d < next.d) {
					next = &h.ticks[i]
				}
			}
			if next == nil {
				b.Fatal("the live list stopped")
			}
			tr := *next
			h.ticks = h.ticks[:0]
			clock = clock.Add(tr.d)
			h.send(tr.fn(clock))
			h.m.View()
			wakes++
		}
	}
	b.ReportMetric(float64(wakes)/float64(b.N), "wakes/min")
}

// BenchmarkStartToFirstFrameFromVault is BenchmarkStartToFirstFrame's
// with-cache-read over a real format 3 vault (file backend) of 10 000
// accounts, as `acctui` pays it at launch once the vault's key is known
// (the keyring or passphrase step is left out): the backend's Accounts
// (the vault's listing and its shared entries), the model, one frame.
func BenchmarkStartToFirstFrameFromVault(b *testing.B) {
	const n = 10000
	opts := vault.Options{Dir: filepath.Join(b.TempDir(), "vault"), Backend: vault.BackendFile,
		PassphraseEnv: "BENCH_VAULT_PASSPHRASE", ResetCommand: "acctui vault reset",
		Getenv: func(k string) string {
			if k == "BENCH_VAULT_PASSPHRASE" {
				return "bench passphrase, not a secret"
			}
			return ""
		}}
	v, err := vault.Open(context.Background(), opts)
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	synthetic := syntheticStore(b, n, epoch).Snapshot()
	must(b, v.Update(context.Background(), func(c *cache.Cache) error { c.Merge(synthetic); return nil }))
	now := func() time.Time { return epoch }
	client, err := engine.New(engine.Config{ClientID: idptest.AzureCLIClientID, Authority: "https://login.microsoftonline.com/organizations", Cache: v, Now: now})
	if err != nil {
		b.Fatal(err)
	}
	backend := NewEngineBackend(client, v, graph, now)
	b.ReportAllocs()
	for b.Loop() {
		list, err := backend.Accounts(context.Background())
		if err != nil || len(list) != n {
			b.Fatal(len(list), err)
		}
		m := New(Options{Backend: backend, Now: now, ClipboardWriter: &fakeClipboard{}}).(*model)
		m.Update(accounts.LoadedMsg{Accounts: list})
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		if v := m.View(); len(v.Content) == 0 {
			b.Fatal("empty frame")
		}
	}
}
