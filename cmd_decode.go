package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"acctui/engine"
	"acctui/internal/safetext"
	"acctui/overview"

	"github.com/spf13/cobra"
)

// maxDecodeInput bounds what decode reads from stdin: tokens are a few KB.
const maxDecodeInput = 1 << 20

func newDecodeCommand(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "decode [JWT]",
		Short: "Show the header and claims of a token (read from stdin without an argument)",
		Long: `Show the header and claims of any JWT, with iat, nbf and exp as times.
The signature is NOT validated: use this to read a token, never to trust it.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var token string
			if len(args) == 1 {
				token = args[0]
			} else {
				if a.stdinTTY {
					return usagef("pass a token as the argument or pipe it on stdin")
				}
				raw, err := io.ReadAll(io.LimitReader(a.stdin, maxDecodeInput+1))
				if err != nil {
					return err
				}
				if len(raw) > maxDecodeInput {
					return usagef("standard input holds more than %s; a token is far smaller", sizeText(maxDecodeInput))
				}
				token = string(raw)
			}
			token = strings.TrimPrefix(strings.TrimSpace(token), "Bearer ")
			decoded, err := engine.DecodeClaimsUnverified(token)
			if err != nil {
				return usageError{err}
			}
			if asJSON {
				return writeJSON(a.stdout, map[string]any{"header": decoded.Header, "claims": decoded.Claims, "signature_validated": false})
			}
			now := time.Now()
			fmt.Fprintln(a.stderr, "Decoded only: the signature was NOT validated.")
			fmt.Fprintln(a.stdout, "Header")
			printClaims(a.stdout, decoded.Header, now)
			fmt.Fprintln(a.stdout, "\nClaims")
			printClaims(a.stdout, decoded.Claims, now)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print header and claims as JSON")
	return cmd
}

// printClaims prints claims as overview.ClaimLines words them, a time's
// note in brackets after its value.
func printClaims(w io.Writer, claims map[string]any, now time.Time) {
	lines := overview.ClaimLines(claims, now)
	width := 0
	for _, l := range lines {
		width = max(width, len(l.Name))
	}
	for _, l := range lines {
		// Names and values are whatever the token's issuer wrote.
		fmt.Fprintf(w, "  %-*s  %s\n", width, safetext.Line(l.Name), safetext.Line(l.Text()))
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
