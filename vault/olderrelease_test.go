package vault_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// olderRelease is the last main before format 3: it reads formats 1 and 2.
const olderRelease = "8084099"

// TestOlderReleaseRefusesFormat3 builds the vault package of the release
// before format 3 from this repository's history (git archive into a temp
// directory, offline: GOPROXY=off, modules from the module cache) with
// testdata/olddriver, and runs it against a format 3 vault: every call,
// the write included, must fail with that release's ErrUnsupportedVersion
// saying a newer acctui wrote the vault, and leave every byte as it was.
// The same build reads the format 2 fixture, so it is a working release.
func TestOlderReleaseRefusesFormat3(t *testing.T) {
	if testing.Short() {
		t.Skip("builds an older release")
	}
	driver := buildOlderRelease(t)

	opts := fileOptions(t)
	fill(t, open(t, opts), 0, 3, 10)
	before := snapshotDir(t, opts.Dir)
	out := runOlder(t, driver, opts.Dir, testPassphrase)
	t.Logf("older release said:\n%s", out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("older release printed:\n%s", out)
	}
	for _, l := range lines {
		if !strings.Contains(l, "unsupported=true") || !strings.Contains(l, "newer acctui") || strings.Contains(l, "reset") {
			t.Errorf("older release on a format 3 vault: %s", l)
		}
	}
	sameDir(t, opts.Dir, before)

	dir := filepath.Join(t.TempDir(), "acctui")
	copyTree(t, filepath.Join("testdata", "format2"), dir)
	out = runOlder(t, driver, dir, "v1 fixture passphrase")
	if !strings.Contains(out, "accounts: ok 3\n") || !strings.Contains(out, "update: ok") {
		t.Errorf("older release on the format 2 fixture:\n%s", out)
	}
}

// buildOlderRelease checks out olderRelease into a temp directory and
// builds the driver there. Without git or that commit (a shallow clone)
// the test is skipped, saying so.
func buildOlderRelease(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("needs git")
	}
	if out, err := exec.Command("git", "rev-parse", "--verify", "--quiet", olderRelease+"^{commit}").CombinedOutput(); err != nil {
		t.Skipf("needs the repository's history with %s (a shallow clone?): %v %s", olderRelease, err, out)
	}
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Fatalf("git rev-parse: %v", err)
	}
	src := t.TempDir()
	tar := filepath.Join(src, "src.tar")
	archive := exec.Command("git", "archive", "--format=tar", "-o", tar, olderRelease)
	archive.Dir = strings.TrimSpace(string(top)) // from a subdirectory git archives only that
	if out, err := archive.CombinedOutput(); err != nil {
		t.Fatalf("git archive: %v %s", err, out)
	}
	if out, err := exec.Command("tar", "-xf", tar, "-C", src).CombinedOutput(); err != nil {
		t.Fatalf("tar: %v %s", err, out)
	}
	main, err := os.ReadFile(filepath.Join("testdata", "olddriver", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(src, "olddriver"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "olddriver", "main.go"), main, 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "olddriver")
	build := exec.Command("go", "build", "-o", bin, "./olddriver")
	build.Dir = src
	build.Env = append(os.Environ(), "GOPROXY=off", "GOWORK=off", "GOFLAGS=-mod=readonly", "GOTOOLCHAIN=local", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building %s's vault: %v\n%s", olderRelease, err, out)
	}
	return bin
}

// runOlder runs the older release's driver on the vault in dir.
func runOlder(t *testing.T, driver, dir, passphrase string) string {
	t.Helper()
	cmd := exec.Command(driver, dir)
	cmd.Env = append(os.Environ(), testPassphraseEnv+"="+passphrase)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("older release: %v\n%s", err, out)
	}
	return string(out)
}
