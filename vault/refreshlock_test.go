package vault_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/vault"
)

// accessToken returns the secret of account i's Graph access token if it
// is valid at now.
func accessToken(v *vault.Vault, i int, now int64) (string, error) {
	var secret string
	err := v.Read(context.Background(), cache.Hint{HomeAccountID: homeID(i)}, func(c *cache.Cache) error {
		at, ok := c.FindAccessToken(cache.AccessTokenQuery{HomeAccountID: homeID(i), ClientID: testClientID,
			Realm: testTenant, Scopes: []string{"https://graph.microsoft.com/.default"}})
		if ok && at.ExpiresOn > now {
			secret = string(at.Secret)
		}
		return nil
	})
	return secret, err
}

// saveAccessToken stores account i's Graph access token.
func saveAccessToken(v *vault.Vault, i int, secret string, expiresOn int64) error {
	return v.Write(context.Background(), cache.Hint{HomeAccountID: homeID(i)}, func(c *cache.Cache) error {
		return c.SaveAccessToken(cache.AccessToken{HomeAccountID: homeID(i), Environment: testEnv, ClientID: testClientID,
			Realm: testTenant, Target: "https://graph.microsoft.com/.default", Secret: cache.Secret(secret),
			CachedAt: expiresOn - 3600, ExpiresOn: expiresOn, ExtendedExpiresOn: expiresOn})
	})
}

// TestOneRefreshAcrossVaults plays 20 processes (each its own Vault, so
// its own lock file descriptors and file snapshot) that all find the same
// access token expired at once. With the refresh lock and a second look,
// one of them refreshes and the others use its token.
func TestOneRefreshAcrossVaults(t *testing.T) {
	const callers = 20
	opts := fileOptions(t)
	opts.LockTimeout = time.Minute
	fill(t, open(t, opts), 0, 2, 20)
	const now = 1_000_000_000
	if err := saveAccessToken(open(t, opts), 0, "AT.expired", now-10); err != nil {
		t.Fatal(err)
	}
	vaults := make([]*vault.Vault, callers)
	for n := range vaults {
		vaults[n] = open(t, opts)
	}

	var requests atomic.Int32
	var sawExpired sync.WaitGroup
	sawExpired.Add(callers)
	got := make([]string, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for n, v := range vaults {
		wg.Go(func() {
			errs[n] = func() error {
				secret, err := accessToken(v, 0, now)
				sawExpired.Done()
				if err != nil || secret != "" {
					return fmt.Errorf("first look: %q, %v", secret, err)
				}
				sawExpired.Wait() // every caller has seen it expired
				unlock, err := v.LockAccount(context.Background(), homeID(0))
				if err != nil {
					return err
				}
				defer unlock()
				if got[n], err = accessToken(v, 0, now); err != nil || got[n] != "" {
					return err // another caller refreshed it
				}
				requests.Add(1)
				got[n] = fmt.Sprintf("AT.from-caller-%d", n)
				return saveAccessToken(v, 0, got[n], now+3600)
			}()
		})
	}
	wg.Wait()
	for n, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", n, err)
		}
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d refresh requests, want 1", n)
	}
	for n := range got {
		if got[n] != got[0] || !strings.HasPrefix(got[n], "AT.from-caller-") {
			t.Errorf("caller %d got %q, caller 0 %q", n, got[n], got[0])
		}
	}
	// The lock files name no account and stay few.
	entries, err := os.ReadDir(filepath.Join(opts.Dir, "refresh-locks"))
	if err != nil || len(entries) == 0 || len(entries) > 64 {
		t.Fatalf("refresh lock directory: %d entries, %v", len(entries), err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), homeID(0)[:8]) {
			t.Errorf("lock file %s names the account", e.Name())
		}
	}
}

// helperRefresher takes account 0's refresh lock, says "locked" and waits
// to be killed.
func helperRefresher() int {
	v, err := vault.Open(context.Background(), helperOptions())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := v.LockAccount(context.Background(), homeID(0)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("locked")
	select {}
}

func TestKilledRefresherReleasesTheLock(t *testing.T) {
	opts := fileOptions(t)
	fill(t, open(t, opts), 0, 1, 20)
	cmd := helper("refresher", opts.Dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "locked\n" {
		cmd.Wait()
		t.Fatalf("helper said %q", line)
	}

	short := opts
	short.LockTimeout = 50 * time.Millisecond
	if _, err := open(t, short).LockAccount(context.Background(), homeID(0)); !errors.Is(err, vault.ErrLocked) {
		t.Fatalf("lock held by a live refresher: %v, want ErrLocked", err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	unlock, err := open(t, opts).LockAccount(context.Background(), homeID(0))
	if err != nil {
		t.Fatalf("lock of a killed refresher: %v", err)
	}
	unlock()
}
