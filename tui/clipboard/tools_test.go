package clipboard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseTmuxVersion(t *testing.T) {
	for in, want := range map[string][2]int{"tmux 3.3a\n": {3, 3}, "tmux 3.2": {3, 2}, "tmux next-3.4": {3, 4}, "tmux 2.9a": {2, 9}} {
		major, minor, err := parseTmuxVersion(in)
		if err != nil || [2]int{major, minor} != want {
			t.Errorf("parseTmuxVersion(%q) = %d.%d, %v", in, major, minor, err)
		}
	}
	if _, _, err := parseTmuxVersion("tmux master"); err == nil {
		t.Error("parseTmuxVersion read a version from none")
	}
}

// withEnviron makes the tools see env (plus PATH) as acctui's environment.
func withEnviron(t *testing.T, env ...string) {
	t.Helper()
	old := environ
	environ = func() []string { return append([]string{"PATH=" + os.Getenv("PATH")}, env...) }
	t.Cleanup(func() { environ = old })
}

// TestTmuxBufferRoundTrip runs a private tmux server: the copy becomes its
// newest buffer, reads back, and clearing deletes it.
func TestTmuxBufferRoundTrip(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed")
	}
	sock := filepath.Join(t.TempDir(), "tmux.sock")
	if out, err := exec.Command("tmux", "-S", sock, "-f", "/dev/null", "new-session", "-d", "-s", "clip", "sleep 600").CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-S", sock, "kill-server").Run() })
	withEnviron(t, "TMUX="+sock+",1,0", "ACCTUI_VAULT_PASSPHRASE=hunter22")
	w := &TmuxBuffer{}
	ctx := context.Background()
	if err := w.Write(ctx, "tok-123"); err != nil {
		t.Fatal(err)
	}
	if got, err := w.Read(ctx); err != nil || got != "tok-123" {
		t.Fatalf("Read = %q, %v", got, err)
	}
	if !strings.HasPrefix(w.Name(), "the tmux buffer (tmux does not pass it on") {
		t.Errorf("no client is attached, yet Name = %q", w.Name())
	}
	if got, err := ClearIfUnchanged(ctx, w, "tok-123"); err != nil || got != Cleared {
		t.Fatalf("ClearIfUnchanged = %v, %v", got, err)
	}
	out, _ := exec.Command("tmux", "-S", sock, "list-buffers").CombinedOutput()
	if strings.Contains(string(out), "tok-123") {
		t.Fatalf("the buffer is still there: %s", out)
	}
}

// fakeXclip puts an xclip and xclip-like paste on PATH that keep the
// clipboard in a file and record their environment.
func fakeXclip(t *testing.T) (dir, clip, envFile string) {
	t.Helper()
	dir = t.TempDir()
	clip, envFile = filepath.Join(dir, "clip"), filepath.Join(dir, "env")
	script := fmt.Sprintf(`#!/bin/sh
env > %q
case "$*" in
*-in*) cat > %q ;;
*-out*) cat %q 2>/dev/null ;;
esac
`, envFile, clip, clip)
	if err := os.WriteFile(filepath.Join(dir, "xclip"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, clip, envFile
}

func TestNativeToolEnvironmentHasNoSecrets(t *testing.T) {
	dir, clip, envFile := fakeXclip(t)
	w, err := Choose(Native, Env{GOOS: "linux", Getenv: func(k string) string { return map[string]string{"DISPLAY": ":0"}[k] },
		LookPath: func(n string) (string, error) { return exec.LookPath(filepath.Join(dir, n)) }})
	if err != nil {
		t.Fatal(err)
	}
	// The candidates name the tool by its bare name; run it from dir.
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	withEnviron(t, "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"), "ACCTUI_VAULT_PASSPHRASE=hunter22", "GITHUB_TOKEN=ghp_x", "DISPLAY=:0")
	if err := w.Write(context.Background(), "tok"); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(clip); string(b) != "tok" {
		t.Fatalf("the clipboard holds %q", b)
	}
	env, _ := os.ReadFile(envFile)
	if strings.Contains(string(env), "hunter22") || strings.Contains(string(env), "ghp_x") {
		t.Fatalf("the clipboard tool saw secrets:\n%s", env)
	}
	if !strings.Contains(string(env), "DISPLAY=:0") {
		t.Fatalf("the clipboard tool lost DISPLAY:\n%s", env)
	}
}

func TestHangingToolIsBounded(t *testing.T) {
	tool := &NativeTool{ToolName: "sleep", CopyArgv: []string{"sleep", "600"}}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := tool.Write(ctx, "tok"); err == nil {
		t.Fatal("a tool that never ends reported success")
	}
}

// TestRunClearer is the detached clearer's work: it clears a clipboard that
// still holds the copy and leaves one that changed.
func TestRunClearer(t *testing.T) {
	dir, clip, _ := fakeXclip(t)
	path := dir + string(os.PathListSeparator) + os.Getenv("PATH")
	t.Setenv("PATH", path)
	withEnviron(t, "PATH="+path, "DISPLAY=:0")
	env := Env{GOOS: "linux", Getenv: func(k string) string { return map[string]string{"DISPLAY": ":0"}[k] }, LookPath: exec.LookPath}
	sum := sha256.Sum256([]byte("tok"))
	digest := hex.EncodeToString(sum[:]) + "\n"
	for _, tt := range []struct {
		holds, want string
		outcome     Outcome
	}{{"tok", "", Cleared}, {"mine", "mine", Changed}} {
		os.WriteFile(clip, []byte(tt.holds), 0o600)
		got, err := RunClearer(context.Background(), "0:xclip", strings.NewReader(digest), env)
		if err != nil || got != tt.outcome {
			t.Fatalf("holding %q: RunClearer = %v, %v", tt.holds, got, err)
		}
		if b, _ := os.ReadFile(clip); string(b) != tt.want {
			t.Fatalf("holding %q: the clipboard holds %q after, want %q", tt.holds, b, tt.want)
		}
	}
	if _, err := RunClearer(context.Background(), "0:xclip", strings.NewReader("tok\n"), env); err == nil {
		t.Fatal("RunClearer took a token instead of a digest")
	}
}
