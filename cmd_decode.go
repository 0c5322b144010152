package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"acctui/engine"
	"acctui/internal/safetext"
	"acctui/overview"

	"github.com/spf13/cobra"
)

// maxDecodeInput bounds what decode reads from stdin: tokens are a few KB.
const maxDecodeInput = 1 << 20

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
			value += "  (" + describeTime(n, now) + ")"
		}
		// Names and values are whatever the token's issuer wrote.
		fmt.Fprintf(w, "  %-*s  %s\n", width, safetext.Line(k), safetext.Line(value))
	}
}

// Seconds since 1970 of the first and last instants a date can be written
// for (0001-01-01 and 9999-12-31 23:59:59 UTC).
const (
	firstWritableSecond = -62135596800
	lastWritableSecond  = 253402300799
)

// describeTime words a NumericDate claim (seconds since 1970, possibly
// with a fraction): the date and how far it is from now, or that it is no
// date at all. A value outside years 1–9999 is said to be so instead of
// being converted to an integer, which would wrap.
func describeTime(seconds float64, now time.Time) string {
	if math.IsNaN(seconds) || seconds < firstWritableSecond || seconds > lastWritableSecond {
		return "not a date: outside the years 1 to 9999"
	}
	whole := math.Floor(seconds)
	t := time.Unix(int64(whole), int64((seconds-whole)*1e9))
	return t.Local().Format("2006-01-02 15:04:05 MST") + ", " + farRelative(seconds, t, now)
}

// farRelative is overview.Relative, in years when the distance passes what
// a time.Duration holds (292 years) and would be clamped.
func farRelative(seconds float64, t, now time.Time) string {
	const year = 365.2425 * 24 * 3600
	diff := seconds - float64(now.Unix())
	switch {
	case diff >= 200*year:
		return fmt.Sprintf("in about %.0f years", diff/year)
	case diff <= -200*year:
		return fmt.Sprintf("about %.0f years ago", -diff/year)
	}
	return overview.Relative(t, now)
}

// formatClaim shows a claim's value as its JSON text, strings without
// quotes; whole numbers up to 2^53 (all a float64 holds exactly) as
// integers.
func formatClaim(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		if v == math.Trunc(v) && math.Abs(v) <= 1<<53 {
			return strconv.FormatInt(int64(v), 10)
		}
		raw, _ := json.Marshal(v)
		return string(raw)
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
