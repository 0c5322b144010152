package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"acctui/engine"
)

// stampedBackend is the real backend with a stamp the test changes, as the
// vault file's changes when another process writes it.
type stampedBackend struct {
	Backend
	mu    sync.Mutex
	stamp int
}

func (b *stampedBackend) Stamp(context.Context) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return fmt.Sprint("stamp-", b.stamp), nil
}

func (b *stampedBackend) touch() {
	b.mu.Lock()
	b.stamp++
	b.mu.Unlock()
}

func TestListBadgesTickWhileTheyChange(t *testing.T) {
	e := newEnv(t, alice)
	h := newHarness(t, e, 80, 24)
	if got := h.liveWaits(); !slices.Contains(got, time.Second) {
		t.Fatalf("live timers %v, want one of 1s for alice's countdown", got)
	}
	e.srv.Advance(90 * time.Second)
	if !h.fireLive() {
		t.Fatal("no live timer")
	}
	if !strings.Contains(rowText(h.view(), "Alice Example"), "58m30s") {
		t.Fatalf("the badge did not tick:\n%s", h.view())
	}
	// An empty list over a store with no file to watch: after the first
	// look finds no stamp, nothing wakes the program any more.
	h2 := newHarness(t, newEnv(t), 80, 24)
	h2.fireLive()
	h2.fireLive() // the timer armed before the answer came
	if got := h2.liveWaits(); len(got) != 0 {
		t.Fatalf("an idle empty list arms timers: %v", got)
	}
}

func TestListReloadsWhenTheVaultChanges(t *testing.T) {
	e := newEnv(t, alice, dave)
	sb := &stampedBackend{Backend: e.backend}
	h := newHarness(t, e, 80, 24, func(o *Options) { o.Backend = sb })
	h.press("j") // select dave
	h.fireLive() // the first look only learns the stamp
	// Another process signs carol in and signs alice out.
	if _, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, carol, engine.Secret(passwords[carol])); err != nil {
		t.Fatal(err)
	}
	accts, _ := e.client.Accounts(context.Background())
	for _, a := range accts {
		if a.Username == alice {
			if err := e.client.RemoveAccount(context.Background(), a); err != nil {
				t.Fatal(err)
			}
		}
	}
	h.fireLive()
	if strings.Contains(h.view(), "Carol Example") {
		t.Fatal("the list reloaded although the stamp did not change")
	}
	sb.touch()
	if got := h.liveWaits(); len(got) == 0 || slices.Max(got) > watchEvery {
		t.Fatalf("live timers %v: the vault is not checked every %s", got, watchEvery)
	}
	h.fireLive()
	h.contains("Carol Example", "2 accounts")
	if strings.Contains(h.view(), "Alice Example") {
		t.Fatalf("alice is still listed:\n%s", h.view())
	}
	if a, _ := h.m.accounts.Selected(); a.Username != dave {
		t.Fatalf("selection moved to %q, want dave", a.Username)
	}
}

func TestReloadKey(t *testing.T) {
	e := newEnv(t, alice)
	h := newHarness(t, e, 80, 24)
	if _, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, carol, engine.Secret(passwords[carol])); err != nil {
		t.Fatal(err)
	}
	h.press("ctrl+r")
	h.contains("Carol Example", "2 accounts")
}

// rowText is the list line naming an account.
func rowText(view, name string) string {
	for _, l := range strings.Split(view, "\n") {
		if strings.Contains(l, name) {
			return l
		}
	}
	return ""
}

func TestClaimsAfterRefreshAreTheNewTokens(t *testing.T) {
	e := newEnv(t, alice)
	h := newHarness(t, e, 80, 40)
	h.press("enter")
	h.contains("iat                 1893574800  (2030-01-02 09:00:00")
	e.srv.Advance(10 * time.Minute)
	h.press("R")
	h.contains("refreshed alice@contoso.example", "iat                 1893575400  (2030-01-02 09:10:00")
}

// TestChangeBeforeTheFirstLookIsSeen: a change made between the first load
// and the first look at the stamp still reloads the list.
func TestChangeBeforeTheFirstLookIsSeen(t *testing.T) {
	e := newEnv(t, alice)
	sb := &stampedBackend{Backend: e.backend}
	h := newHarness(t, e, 80, 24, func(o *Options) { o.Backend = sb })
	if _, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, carol, engine.Secret(passwords[carol])); err != nil {
		t.Fatal(err)
	}
	h.fireLive()
	h.contains("Carol Example", "2 accounts")
}

// TestReloadKeepsAFilterBeingTyped: a reload because another process
// changed the vault does not lose what the user is typing.
func TestReloadKeepsAFilterBeingTyped(t *testing.T) {
	e := newEnv(t, alice, carol)
	sb := &stampedBackend{Backend: e.backend}
	h := newHarness(t, e, 80, 24, func(o *Options) { o.Backend = sb })
	h.fireLive()
	h.press("/")
	h.typeText("car")
	if _, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, dave, engine.Secret(passwords[dave])); err != nil {
		t.Fatal(err)
	}
	sb.touch()
	h.fireLive()
	if !h.m.accounts.Typing() {
		t.Fatal("the reload ended the filter being typed")
	}
	h.typeText("o")
	h.contains("Filter: caro", "1 of 3 accounts", "Carol Example")
}
