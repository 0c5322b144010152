package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// nonBlankFlags name an account, a tenant or a resource. Given blank (an
// unset shell variable: --scope "$SCOPE"), each would quietly mean
// something else: an empty scope list matches every cached token, an empty
// account the only account there is. So a blank value is a usage error,
// in every command that has the flag.
var nonBlankFlags = []string{"scope", "account", "tenant", "username"}

// refuseBlankFlags returns a usage error for a flag of nonBlankFlags given
// with a value that is empty or only white space.
func refuseBlankFlags(cmd *cobra.Command) error {
	for _, name := range nonBlankFlags {
		f := cmd.Flags().Lookup(name)
		if f == nil || !f.Changed {
			continue
		}
		for _, v := range flagValues(f) {
			if strings.TrimSpace(v) == "" {
				return usagef("--%s %q is blank: give a value, or leave the flag out", name, v)
			}
		}
	}
	return nil
}

// flagValues lists every value given to f (one per use of a repeatable
// flag).
func flagValues(f *pflag.Flag) []string {
	if s, ok := f.Value.(pflag.SliceValue); ok {
		return s.GetSlice()
	}
	return []string{f.Value.String()}
}

// refuseBlankArg is refuseBlankFlags for an argument that names an account.
func refuseBlankArg(what, value string) error {
	if strings.TrimSpace(value) == "" {
		return usagef("%s %q is blank", what, value)
	}
	return nil
}
