package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"acctui/internal/errtext"
	"acctui/vault"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit codes, documented in README.
const (
	exitFailure             = 1
	exitUsage               = 2
	exitInteractionRequired = 4
	// exitInterrupted is the shell's code for a SIGINT.
	exitInterrupted = 130
)

// usageError marks a mistake in how the command was called (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// run executes the command line and returns the exit code.
func run(args []string) int {
	a := newApp()
	defer a.close()
	root := newRootCommand(a, args)
	root.SetArgs(args)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.interrupts = newInterrupts(cancel)
	defer a.interrupts.stop()
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	if errors.Is(err, vault.ErrDBusDeferred) {
		a.log.Debug("the key is needed from a D-Bus keyring: running again with the bus probed")
		if rerr := runAgainWithDBus(); rerr != nil {
			err = fmt.Errorf("running acctui again to read the key from the D-Bus keyring: %w", rerr)
		}
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		fmt.Fprintln(a.stderr, "acctui: interrupted")
		return exitInterrupted
	}
	if isCobraUsageError(err) {
		err = usageError{err}
	}
	head, suggestion := splitSuggestion(err.Error())
	if suggestion != "" {
		err = usageError{errors.New(head)}
	}
	msg, code := explain(err)
	msg = errtext.Public(msg)
	a.log.Debug("command failed", "exit", code, "error", msg)
	errorLines(a.stderr, msg, suggestion)
	return code
}

// newRootCommand builds the command tree for args. When args name one of
// acctui's commands only that one is built, without cobra's completion
// command: making every command and flag was a tenth of what a cached
// `acctui token` cost. Help, completion and anything else get the whole
// tree, so listings and "did you mean" suggestions stay complete.
func newRootCommand(a *app, args []string) *cobra.Command {
	var demo bool
	root := &cobra.Command{
		Use:   "acctui",
		Short: "A terminal account manager for Microsoft identity platform accounts",
		Long: `acctui lists your Microsoft Entra ID accounts and the state of every cached
token, signs in (browser, device code, password), refreshes silently and
gives scripts tokens from its encrypted cache in milliseconds.

Without a command it opens the terminal UI; acctui --demo tries it with a
local identity provider and demo accounts, no Entra tenant needed.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if !armsLate(cmd) {
				a.armInterrupts()
			}
			if err := refuseBlankFlags(cmd); err != nil {
				return err
			}
			if err := resolveSettings(cmd.Context(), cmd.Flags(), &a.s, a.getenv); err != nil {
				return err
			}
			if err := checkSettings(&a.s); err != nil {
				return err
			}
			return a.setUp(cmd)
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if demo {
				return a.runDemo(cmd.Context())
			}
			return a.runTUI(cmd.Context())
		},
	}
	root.Flags().BoolVar(&demo, "demo", false, "try acctui with a local identity provider and demo accounts (no Entra tenant needed)")
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(flagError)
	registerGlobalFlags(root, &a.s)
	commands := map[string]func() *cobra.Command{
		"accounts":       func() *cobra.Command { return newAccountsCommand(a) },
		"token":          func() *cobra.Command { return newTokenCommand(a) },
		"login":          func() *cobra.Command { return newLoginCommand(a) },
		"logout":         func() *cobra.Command { return newLogoutCommand(a) },
		"import":         func() *cobra.Command { return newImportCommand(a) },
		"export":         func() *cobra.Command { return newExportCommand(a) },
		"vault":          func() *cobra.Command { return newVaultCommand(a) },
		"decode":         func() *cobra.Command { return newDecodeCommand(a) },
		"git-credential": func() *cobra.Command { return newGitCredentialCommand(a) },
		"use":            func() *cobra.Command { return newUseCommand(a) },
		"idp":            newIdpCommand,
		"version":        newVersionCommand,
	}
	if build, ok := commands[commandName(root, args)]; ok {
		root.AddCommand(build())
		root.CompletionOptions.DisableDefaultCmd = true
	} else {
		for _, name := range slices.Sorted(maps.Keys(commands)) {
			root.AddCommand(commands[name]())
		}
		setUpConventions(root, args)
		registerCompletions(root, a)
	}
	for _, c := range root.Commands() {
		c.Args = wrapArgs(c.Args)
	}
	return root
}

// armsLate reports the commands that arm interrupts only before a network
// request or a prompt: the quick ones scripts call.
func armsLate(cmd *cobra.Command) bool {
	for cmd.HasParent() && cmd.Parent().HasParent() {
		cmd = cmd.Parent()
	}
	switch cmd.Name() {
	case "token", "accounts", "decode", "version", "git-credential":
		return true
	}
	return false
}

// commandName returns the command cobra will run for args, read as
// cobra's Find reads them (FuzzCommandNameAgreesWithCobra checks this):
// the first argument that is not a flag or a flag's value. Like cobra, a
// flag it does not know yet takes the next argument as its value; -h and
// --help are among those, as cobra adds them only after choosing the
// command, so "acctui -h login" is the root's help, which needs the whole
// tree. After "--" cobra looks for no command.
func commandName(root *cobra.Command, args []string) string {
	// takesValue reports whether cobra reads the next argument as the
	// value of the flag found by lookup (nil when it has none).
	takesValue := func(lookup func(*pflag.FlagSet) *pflag.Flag) bool {
		f := lookup(root.Flags())
		if f == nil {
			f = lookup(root.PersistentFlags())
		}
		return f == nil || f.NoOptDefVal == ""
	}
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch {
		case arg == "--":
			return ""
		case strings.HasPrefix(arg, "--") && !strings.Contains(arg, "="):
			if takesValue(func(fs *pflag.FlagSet) *pflag.Flag { return fs.Lookup(arg[2:]) }) {
				i++
			}
		case strings.HasPrefix(arg, "-") && !strings.Contains(arg, "=") && len(arg) == 2:
			if takesValue(func(fs *pflag.FlagSet) *pflag.Flag { return fs.ShorthandLookup(arg[1:]) }) {
				i++
			}
		case arg == "" || strings.HasPrefix(arg, "-"):
			// no command: cobra skips it
		default:
			return arg
		}
	}
	return ""
}

// flagError makes a flag parsing error a usage error (exit 2). pflag quotes
// the whole argument of an unknown shorthand ("unknown shorthand flag: 'x'
// in -xAbC…"), and a token that starts with '-' pasted as an argument is
// read as shorthands: that part of the message is dropped.
func flagError(_ *cobra.Command, err error) error {
	msg := err.Error()
	const advice = "an argument that starts with '-' is read as flags: put -- before it"
	if i := strings.Index(msg, " in -"); i >= 0 && strings.HasPrefix(msg, "unknown shorthand flag") {
		return usageError{fmt.Errorf("%s (%s)", msg[:i], advice)}
	}
	// A token that starts with "--" (base64url allows it) is an unknown
	// long flag, which pflag names whole: a name no flag could have is left
	// out.
	if name, ok := strings.CutPrefix(msg, "unknown flag: --"); ok && !flagLike(name) {
		return usageError{fmt.Errorf("unknown flag (%s)", advice)}
	}
	return usageError{err}
}

// flagLike reports whether name could be a mistyped flag: short, lower
// case letters, digits and dashes.
func flagLike(name string) bool {
	if len(name) > 40 {
		return false
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

// wrapArgs makes cobra's argument errors usage errors (exit 2).
func wrapArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	if check == nil {
		return nil
	}
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}

// isCobraUsageError spots cobra's own complaints about the command line,
// which it returns as plain errors.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{"unknown command", "required flag", "unknown shorthand flag", "unknown flag", "invalid argument"} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}
