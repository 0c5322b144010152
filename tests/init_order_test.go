package tests

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// initOrder runs the built binary with the runtime's init trace and
// returns the packages in the order their initialisation ran.
func initOrder(t *testing.T) []string {
	t.Helper()
	cmd := exec.Command(acctuiBinary(t), "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("acctui version: %v\n%s", err, out)
	}
	var order []string
	for _, m := range regexp.MustCompile(`(?m)^init (\S+) @`).FindAllStringSubmatch(string(out), -1) {
		order = append(order, m[1])
	}
	if len(order) < 50 {
		t.Fatalf("the init trace lists %d packages; GODEBUG=inittrace=1 changed?\n%s", len(order), out)
	}
	return order
}

// TestInitOrderOfTheGuards: internal/prestack and vault's D-Bus guard work
// only because Go initialises them before the packages they act for (see
// their package docs). A new import, a renamed package or a change in the
// toolchain's ordering rule breaks that silently; this test says so.
func TestInitOrderOfTheGuards(t *testing.T) {
	t.Parallel()
	order := initOrder(t)
	at := map[string]int{}
	for i, p := range order {
		at[p] = i
	}
	position := func(pkg string) int {
		t.Helper()
		i, ok := at[pkg]
		if !ok {
			t.Fatalf("%s does not initialise any more; the guard test needs updating", pkg)
		}
		return i
	}

	// prestack grows the stack before the heavy initialisers: every acctui
	// package and the large libraries come after it, and only a handful of
	// small packages before.
	prestack := position("acctui/internal/prestack")
	for p, i := range at {
		heavy := strings.HasPrefix(p, "acctui/") || strings.HasPrefix(p, "github.com/spf13/cobra") ||
			strings.HasPrefix(p, "github.com/99designs/keyring") || strings.HasPrefix(p, "crypto/tls") ||
			strings.HasPrefix(p, "net/http")
		if heavy && i < prestack {
			t.Errorf("%s initialises before acctui/internal/prestack", p)
		}
	}
	if prestack > 12 {
		t.Errorf("acctui/internal/prestack is package %d to initialise; before it: %v", prestack+1, order[:prestack])
	}

	// The D-Bus guard arms before the keyring library probes the session
	// bus in its init, and the vault restores the environment after it.
	guard, keyring, vault := position("acctui/vault/internal/dbusguard"), position("github.com/99designs/keyring"), position("acctui/vault")
	if !(guard < keyring && keyring < vault) {
		t.Errorf("init order: dbusguard %d, keyring %d, vault %d; want the guard, then the keyring library, then the vault", guard, keyring, vault)
	}
}
