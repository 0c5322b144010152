package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// plainMSALCache writes a small plain MSAL cache with one account, to
// import into a new vault.
func plainMSALCache(t *testing.T, dir string) string {
	t.Helper()
	home := "00000000-0000-0000-0000-00000000abcd." + contosoTenantID
	doc := map[string]any{"Account": map[string]any{
		home + "-login.microsoftonline.com-" + contosoTenantID: map[string]any{
			"home_account_id": home, "environment": "login.microsoftonline.com", "realm": contosoTenantID,
			"local_account_id": "00000000-0000-0000-0000-00000000abcd", "username": "imported@contoso.example",
			"authority_type": "MSSTS",
		},
	}}
	raw, _ := json.Marshal(doc)
	path := filepath.Join(dir, "msal_token_cache.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestNewVaultPassphraseOnATerminal: a new file-backend vault's passphrase
// is typed twice on a terminal. One too short or two that differ are
// asked again; three failures end the command with nothing created; a
// passphrase that passes opens the vault afterwards.
func TestNewVaultPassphraseOnATerminal(t *testing.T) {
	dir := t.TempDir()
	cache := plainMSALCache(t, dir)
	for _, c := range []struct {
		name    string
		entries []string // typed in order, each followed by Enter
		exit    string
		created bool
	}{
		{"typo-then-right", []string{"short", "longenough1", "longenough2", "longenough1", "longenough1"}, "EXIT=0", true},
		{"three-failures", []string{"short", "longenough1", "different1", "        "}, "EXIT=2", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			vaultDir := filepath.Join(dir, c.name)
			script := acctuiBinary(t) + " --vault-dir " + vaultDir + " --vault-backend file --keyctl-cache 0 import --msal " + cache +
				"; echo EXIT=$?; sleep 60"
			s := startTmux(t, "sh -c "+shellQuote(script))
			prompts := 0
			for _, entry := range c.entries {
				prompts++
				screen := s.waitFor("prompt", func(screen string) bool {
					return strings.Count(screen, "New vault passphrase:")+strings.Count(screen, "Type it again:") == prompts
				})
				if strings.Contains(screen, entry) && strings.TrimSpace(entry) != "" {
					t.Fatalf("a passphrase was echoed:\n%s", screen)
				}
				s.text(entry)
				s.keys("Enter")
			}
			screen := s.waitForText("EXIT=")
			if !strings.Contains(screen, c.exit) {
				t.Fatalf("want %s:\n%s", c.exit, screen)
			}
			for _, want := range []string{"at least 8 characters; try again", "differ; try again"} {
				if !strings.Contains(screen, want) {
					t.Errorf("the screen does not say %q:\n%s", want, screen)
				}
			}
			_, err := os.Stat(filepath.Join(vaultDir, "vault.acctui"))
			if created := err == nil; created != c.created {
				t.Fatalf("vault file created = %v, want %v:\n%s", created, c.created, screen)
			}
			if !c.created {
				if !strings.Contains(screen, "nothing was created") {
					t.Errorf("the refusal does not say nothing was created:\n%s", screen)
				}
				return
			}
			for pass, want := range map[string]bool{"longenough1": true, "longenough2": false} {
				cmd := exec.Command(acctuiBinary(t), "--vault-dir", vaultDir, "--vault-backend", "file", "--keyctl-cache", "0", "accounts", "--json")
				cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "ACCTUI_VAULT_PASSPHRASE=" + pass}
				out, err := cmd.Output()
				if opened := err == nil && strings.Contains(string(out), "imported@contoso.example"); opened != want {
					t.Errorf("passphrase %s opens the vault: %v, want %v (%v: %s)", pass, opened, want, err, out)
				}
			}
		})
	}
}
