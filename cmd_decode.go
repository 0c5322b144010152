package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"acctui/engine"
	"acctui/overview"

	"github.com/spf13/cobra"
)

// timeClaims are shown as dates as well as numbers.
var timeClaims = map[string]bool{"iat": true, "nbf": true, "exp": true, "auth_time": true, "xms_tcdt": true}

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
				raw, err := io.ReadAll(io.LimitReader(a.stdin, 1<<20))
				if err != nil {
					return err
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

func printClaims(w io.Writer, claims map[string]any, now time.Time) {
	keys := make([]string, 0, len(claims))
	width := 0
	for k := range claims {
		keys = append(keys, k)
		width = max(width, len(k))
	}
	sort.Strings(keys)
	for _, k := range keys {
		value := formatClaim(claims[k])
		if n, ok := claims[k].(float64); ok && timeClaims[k] {
			t := time.Unix(int64(n), 0)
			value = fmt.Sprintf("%d  (%s, %s)", int64(n), t.Local().Format("2006-01-02 15:04:05 MST"), overview.Relative(t, now))
		}
		fmt.Fprintf(w, "  %-*s  %s\n", width, k, value)
	}
}

func formatClaim(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		if v == float64(int64(v)) {
			return fmt.Sprintf("%d", int64(v))
		}
		return fmt.Sprint(v)
	default:
		raw, _ := json.Marshal(v)
		return string(raw)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
