package tests

import (
	"net/http"
	"testing"
	"time"
)

// TestOneRefreshAcrossProcesses starts 20 acctui processes at once on one
// vault whose access token is inside the expiry margin: the vault's
// account lock and the engine's second look let one of them refresh and
// the others serve its token. With --account each process also keeps the
// file open from the name's lookup to the token's read (shared-locked):
// that must neither hold the refreshing process's write back nor let a
// second refresh through.
func TestOneRefreshAcrossProcesses(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{"the only account": {"token"}, "--account": {"token", "--account", aliceUsername}} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			oneRefreshAcrossProcesses(t, args)
		})
	}
}

func oneRefreshAcrossProcesses(t *testing.T, args []string) {
	const processes = 20
	e := startEmulator(t)
	s := newCLISuite(t, e)
	env := s.newEnv(t, "twenty")

	// A token of 60 s is expiring at once (the margin is 5 minutes), so
	// every process wants a refresh; the refreshed one lives an hour.
	e.admin(t, http.MethodPost, "/_admin/lifetime", map[string]any{"username": aliceUsername, "access_token_seconds": 60}, nil)
	env.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
	e.admin(t, http.MethodPost, "/_admin/lifetime", map[string]any{"username": aliceUsername, "access_token_seconds": 3600}, nil)
	e.resetRequests(t)

	procs := make([]*cliProc, processes)
	for n := range procs {
		procs[n] = env.start(t, args...)
	}
	var first string
	for n, p := range procs {
		res := env.wait(t, p, time.Minute).want(t, 0)
		s.remember(res.stdout, "access token from concurrent acctui token")
		if n == 0 {
			first = res.stdout
		} else if res.stdout != first {
			t.Errorf("process %d got another token than process 0", n)
		}
	}
	refreshes := 0
	for _, r := range e.requests(t) {
		if r.GrantType == "refresh_token" {
			refreshes++
		}
	}
	if refreshes != 1 {
		t.Errorf("%d processes sent %d refresh requests, want 1", processes, refreshes)
	}
}

// TestForcedRefreshAcrossProcesses: a forced refresh never serves the
// token the vault held when it started, but processes forcing together
// still share one request when they overlap.
func TestForcedRefreshAcrossProcesses(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	s := newCLISuite(t, e)
	env := s.newEnv(t, "forced")
	env.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
	before := env.plainToken(t)
	e.resetRequests(t)

	after := env.plainToken(t, "--force-refresh")
	if after == before {
		t.Fatal("a forced refresh served the token cached before it started")
	}
	again := env.plainToken(t, "--force-refresh")
	if again == after {
		t.Fatal("a second forced refresh, started after the first ended, served the first one's token")
	}
	refreshes := 0
	for _, r := range e.requests(t) {
		if r.GrantType == "refresh_token" {
			refreshes++
		}
	}
	if refreshes != 2 {
		t.Errorf("two forced refreshes one after the other sent %d requests, want 2", refreshes)
	}
}
