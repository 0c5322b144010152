package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"acctui/internal/safetext"
	"acctui/vault"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// completionShells are the shells cobra writes completion scripts for.
var completionShells = []string{"bash", "zsh", "fish", "powershell"}

// setUpConventions gives the whole command tree what people expect of a
// command line: --version, and a completion command that refuses a shell
// it does not know (exit 2) instead of printing its help.
func setUpConventions(root *cobra.Command, args []string) {
	root.Version = versionText()
	root.SetVersionTemplate("acctui {{.Version}}\n")
	root.InitDefaultCompletionCmd(args...)
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("completion needs a shell: one of %s", strings.Join(completionShells, ", "))
			}
			return usagef("completion: shell %q is not supported; one of: %s", safetext.Compact(args[0]), strings.Join(completionShells, ", "))
		}
	}
}

// checkSettings checks the enumerated global settings before any work,
// wherever they came from (flag, variable or config file).
func checkSettings(s *settings) error {
	if s.VaultBackend == "" {
		return nil
	}
	return checkChoice("vault-backend", s.VaultBackend, vault.Backends)
}

// splitSuggestion separates cobra's "Did you mean this?" list from an
// unknown command's error, so the suggestion can go on a line of its own.
func splitSuggestion(msg string) (errText, suggestion string) {
	head, tail, ok := strings.Cut(msg, "\n\nDid you mean this?\n")
	if !ok {
		return msg, ""
	}
	var names []string
	for _, f := range strings.Fields(tail) {
		names = append(names, "acctui "+f)
	}
	if len(names) == 0 {
		return head, ""
	}
	return head, "Did you mean " + strings.Join(names, " or ") + "?"
}

// isTerminal reports whether w is a terminal; escape codes (colour, the
// coloured QR code) go only to one.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// colorOn says whether text for w may carry colour: a terminal and no
// NO_COLOR.
func (a *app) colorOn(w io.Writer) bool {
	return a.getenv("NO_COLOR") == "" && isTerminal(w)
}

// errorLines prints a failed command's message: the one "acctui: " line,
// then a suggestion on its own line when there is one.
func errorLines(w io.Writer, msg, suggestion string) {
	fmt.Fprintln(w, "acctui: "+msg)
	if suggestion != "" {
		fmt.Fprintln(w, suggestion)
	}
}
