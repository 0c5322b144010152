package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// Exit codes, documented in README.
const (
	exitFailure             = 1
	exitUsage               = 2
	exitInteractionRequired = 4
)

// usageError marks a mistake in how the command was called (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var usage usageError
	if errors.As(err, &usage) {
		return exitUsage
	}
	return exitFailure
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "acctui",
		Short:         "A terminal account manager for Microsoft identity platform accounts",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(newIdpCommand(), newVersionCommand())
	return root
}
