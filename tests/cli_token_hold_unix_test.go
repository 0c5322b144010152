//go:build unix

package tests

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"acctui/internal/lockprobe"
	"acctui/vault"
)

// TestTokenLetsWritersInDuringItsRequest: acctui token --account keeps
// vault.db open, under bbolt's shared lock, from the name's lookup to the
// token's read. Whatever goes to the identity provider next (a service
// principal's token, a person's refresh) must not keep that lock: another
// process's write would wait for the network. The emulator holds the
// request while the test asks for a writer's lock without waiting, then
// the run is interrupted.
func TestTokenLetsWritersInDuringItsRequest(t *testing.T) {
	w := newPrincipalWorld(t)
	c := w.s.newEnv(t, "hold")
	secret := cliSPSecret + "\n"
	w.spLogin(c, t, &secret, "--secret-stdin").want(t, 0)
	c.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
	db := filepath.Join(c.vars["ACCTUI_VAULT_DIR"], vault.DBFileName)

	for name, account := range map[string]string{"service principal": cliSPClientID, "person": aliceUsername} {
		t.Run(name, func(t *testing.T) {
			w.e.clearFaults(t)
			w.e.resetRequests(t)
			w.e.injectFault(t, faultSpec{Endpoint: "token", Kind: "delay", DelayMillis: 40_000})
			defer w.e.clearFaults(t)
			p := c.start(t, "token", "--account", account, "--force-refresh")
			w.e.awaitTokenRequest(t, p)
			if !writerCouldLock(t, db) {
				t.Error("vault.db stays locked while acctui token waits for the identity provider")
			}
			if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			if res := c.wait(t, p, 30*time.Second); res.code != 130 {
				t.Fatalf("the interrupted run: %s", res)
			}
		})
	}
}

// writerCouldLock reports whether a writer could take path's lock now.
func writerCouldLock(t *testing.T, path string) bool {
	t.Helper()
	free, err := lockprobe.WriterCouldLock(path)
	if err != nil {
		t.Fatal(err)
	}
	return free
}
