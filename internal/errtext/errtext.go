// Package errtext words an error for the person reading it, on the command
// line and in the TUI alike: acctui's internal package prefixes ("engine:
// refresh: cache: …") mean nothing to them.
package errtext

import "strings"

// internalPrefixes are the package prefixes errors carry inside acctui.
var internalPrefixes = []string{"acctui: ", "engine: ", "vault: ", "cache: ", "parse: "}

// Public drops internal package prefixes from an error message: at its
// start and after each ": " or "; ".
func Public(msg string) string {
	for changed := true; changed; {
		changed = false
		for _, p := range internalPrefixes {
			if strings.HasPrefix(msg, p) && len(msg) > len(p) {
				msg, changed = msg[len(p):], true
			}
			for _, sep := range []string{": ", "; "} {
				if strings.Contains(msg, sep+p) {
					msg, changed = strings.ReplaceAll(msg, sep+p, sep), true
				}
			}
		}
	}
	return msg
}
