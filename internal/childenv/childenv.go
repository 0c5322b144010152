// Package childenv builds the environment for programs acctui starts
// (the browser opener, clipboard tools, tmux). A browser started from
// acctui may live for days, and its /proc/PID/environ stays readable to
// every process of the user: a passphrase or secret inherited there
// outlives acctui's own careful handling of it.
package childenv

import (
	"os"
	"os/exec"
	"strings"
)

// Scrubbed returns environ without the variables a child has no business
// seeing: all of acctui's own (ACCTUI_*, the passphrase among them) and
// any whose name says it holds a secret.
func Scrubbed(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if !IsSecretName(name) {
			out = append(out, kv)
		}
	}
	return out
}

// Command is exec.Command with the scrubbed environment of this process.
func Command(name string, arg ...string) *exec.Cmd {
	cmd := exec.Command(name, arg...)
	cmd.Env = Scrubbed(os.Environ())
	return cmd
}

// IsSecretName reports whether an environment variable named name is
// kept from children.
func IsSecretName(name string) bool {
	upper := strings.ToUpper(name)
	if strings.HasPrefix(upper, "ACCTUI_") {
		return true
	}
	for _, word := range secretWords {
		if strings.Contains(upper, word) {
			return true
		}
	}
	return strings.HasSuffix(upper, "_KEY") || strings.HasSuffix(upper, "APIKEY")
}

// secretWords are name fragments that mark a secret by convention
// (AZURE_CLIENT_SECRET, GITHUB_TOKEN, AZURE_PASSWORD, *_PASSPHRASE …).
var secretWords = []string{"PASSWORD", "PASSPHRASE", "PASSWD", "SECRET", "TOKEN", "CREDENTIAL", "PRIVATE_KEY", "_PAT"}
