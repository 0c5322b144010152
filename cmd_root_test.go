package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestCommandName(t *testing.T) {
	root := newRootCommand(newApp(), nil)
	cases := []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"token", "--account", "x"}, "token"},
		{[]string{"--vault-dir", "token", "accounts"}, "accounts"},
		{[]string{"--vault-dir=/v", "--debug", "/tmp/log", "vault", "status"}, "vault"},
		{[]string{"--demo"}, ""},
		{[]string{"--demo", "version"}, "version"},
		// cobra adds -h and --help after choosing the command, so here they
		// take "login" as their value: the root's help, from the whole tree.
		{[]string{"-h", "login"}, ""},
		{[]string{"--help", "use"}, ""},
		{[]string{"login", "-h"}, "login"},
		// after "--" cobra looks for no command
		{[]string{"--", "decode"}, ""},
		// an unknown flag takes the next argument as its value
		{[]string{"--no-such-flag", "token"}, ""},
		{[]string{"--no-such-flag=1", "token"}, "token"},
	}
	for _, tc := range cases {
		if got := commandName(root, tc.args); got != tc.want {
			t.Errorf("commandName(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

// TestCommandTreeForArgs: a named command gets a tree of its own; help,
// completion and mistakes see every command.
func TestCommandTreeForArgs(t *testing.T) {
	cases := []struct {
		args []string
		want []string // in the output
	}{
		{[]string{"--help"}, []string{"accounts", "token", "login", "logout", "import", "export", "vault", "decode", "idp", "version", "completion"}},
		{[]string{"help", "token"}, []string{"--force-refresh"}},
		{[]string{"token", "--help"}, []string{"--force-refresh", "--vault-dir"}},
		{[]string{"completion", "bash"}, []string{"__start_acctui"}},
		{[]string{"__complete", "to"}, []string{"token"}},
		{[]string{"version"}, []string{"acctui "}},
	}
	for _, tc := range cases {
		var out bytes.Buffer
		a := newApp()
		a.stdout, a.stderr, a.getenv = &out, &out, func(string) string { return "" }
		root := newRootCommand(a, tc.args)
		root.SetArgs(tc.args)
		root.SetOut(&out)
		root.SetErr(&out)
		if err := root.Execute(); err != nil {
			t.Errorf("%q: %v", tc.args, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%q: output lacks %q:\n%s", tc.args, w, out.String())
			}
		}
	}

	a := newApp()
	var out bytes.Buffer
	a.stdout, a.stderr, a.getenv = &out, &out, func(string) string { return "" }
	root := newRootCommand(a, []string{"tokn"})
	root.SetArgs([]string{"tokn"})
	err := root.Execute()
	if err == nil || !strings.Contains(err.Error(), "token") {
		t.Errorf("a misspelt command: %v, want a suggestion of token", err)
	}
}
