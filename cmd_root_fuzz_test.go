package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// FuzzCommandNameAgreesWithCobra: commandName reads the command out of the
// arguments by hand so that only that command is built. Whenever it names
// one of acctui's commands, cobra, given the whole tree and the same
// arguments, must pick that command too; otherwise acctui would run a
// different command than the one the user typed. (When it names none, the
// whole tree is built and cobra decides, so any answer is safe.)
//
// Arguments are joined by NUL in the fuzz input.
func FuzzCommandNameAgreesWithCobra(f *testing.F) {
	for _, seed := range []string{
		"", "token\x00--account\x00x", "--vault-dir\x00token\x00accounts",
		"--vault-dir=/v\x00--debug\x00/tmp/log\x00vault\x00status", "--demo", "--demo\x00version",
		"-h\x00login", "--\x00decode", "--no-such-flag\x00token", "--debug\x00--\x00token",
		"-v\x00token", "--keyctl-cache\x000\x00logout\x00alice", "idp\x00serve\x00--tls",
		"--output\x00json\x00token", "-o\x00json\x00token", "--help\x00use", "help\x00token",
		"completion\x00bash", "__complete\x00to",
	} {
		f.Add(seed)
	}
	a := newApp()
	a.getenv = func(string) string { return "" }
	root := newRootCommand(a, nil) // nil names no command: the whole tree
	known := map[string]bool{}
	for _, c := range root.Commands() {
		known[c.Name()] = true
	}
	f.Fuzz(func(t *testing.T, joined string) {
		var args []string
		if joined != "" {
			args = strings.Split(joined, "\x00")
		}
		if len(args) > 12 {
			return
		}
		hand := commandName(root, args)
		if !known[hand] {
			return
		}
		if got := cobraCommand(root, args); got != hand {
			t.Errorf("args %q: the hand parser builds only %q, cobra would run %q", args, hand, got)
		}
	})
}

// cobraCommand is the top-level command cobra picks for args, "" for the
// root command or none.
func cobraCommand(root *cobra.Command, args []string) string {
	cmd, _, err := root.Find(args)
	if err != nil || cmd == nil || cmd == root {
		return ""
	}
	for cmd.Parent() != root {
		cmd = cmd.Parent()
	}
	return cmd.Name()
}
