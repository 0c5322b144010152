package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCtrlCAtPassphrasePromptRestoresEcho: acctui token on a terminal asks
// for the file backend's passphrase with echo off. Ctrl-C there must end
// it with exit 130 and leave the terminal echoing, although the reader
// that turned echo off is still blocked when the process exits.
func TestCtrlCAtPassphrasePromptRestoresEcho(t *testing.T) {
	vaultDir := filepath.Join(t.TempDir(), "vault")
	copyDir(t, filepath.Join("..", "vault", "testdata", "format1"), vaultDir)
	// The shell ignores SIGINT so that it survives Ctrl-C and reports the
	// terminal's state afterwards; acctui catches the signal itself.
	script := "trap '' INT; " + acctuiBinary(t) + " --vault-dir " + vaultDir +
		" --vault-backend file --keyctl-cache 0 token --account alice@contoso.example; " +
		"echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e -echo | sed 's/^/STTY=/'; sleep 60"
	s := startTmux(t, "sh -c "+shellQuote(script))
	s.waitForText("Passphrase")
	s.keys("C-c")
	screen := s.waitForText("STTY=")
	if !strings.Contains(screen, "EXIT=130") || !strings.Contains(screen, "interrupted") {
		t.Errorf("Ctrl-C at the prompt: want exit 130 and a word on why:\n%s", screen)
	}
	if !strings.Contains(screen, "STTY=echo") {
		t.Errorf("the terminal was left without echo:\n%s", screen)
	}
}

// copyDir copies the regular files under src to dst, private.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// shellQuote quotes s for sh.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
