package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"acctui/internal/safetext"
	"acctui/overview"
)

// Values of accounts --output.
const (
	accountsTable = "table"
	accountsJSON  = "json"
	accountsTSV   = "tsv"
)

var accountsOutputs = []string{accountsTable, accountsJSON, accountsTSV}

// accountsOutputOf settles --output against the older --json.
func accountsOutputOf(output string, outputSet, asJSON bool) (string, error) {
	if err := checkChoice("output", output, accountsOutputs); err != nil {
		return "", err
	}
	if asJSON {
		if outputSet && output != accountsJSON {
			return "", usagef("--json and --output %s contradict each other (--json is --output json)", output)
		}
		return accountsJSON, nil
	}
	return output, nil
}

// writeAccountsTSV prints one line per account, tab-separated, without a
// header, in README's column order: username, name, tenant_id,
// home_account_id, status, expires_on (RFC 3339 in UTC, empty when no
// access token is valid), active (true or false). Text from outside acctui is made one line
// without tabs, so columns stay columns.
func writeAccountsTSV(out io.Writer, accounts []overview.Account, active string) error {
	w := bufio.NewWriterSize(out, 64<<10) // a line each would be a write call each
	for _, a := range accounts {
		expires := ""
		if !a.ExpiresOn.IsZero() {
			expires = a.ExpiresOn.UTC().Format(time.RFC3339)
		}
		fields := []string{a.Username, a.Name, a.TenantID, a.HomeAccountID, string(a.Status), expires, fmt.Sprint(isActive(a, active))}
		for i, f := range fields {
			fields[i] = safetext.Line(f)
		}
		if _, err := fmt.Fprintln(w, strings.Join(fields, "\t")); err != nil {
			return err
		}
	}
	return w.Flush()
}

// accountOut is an account as accounts --output json prints it.
type accountOut struct {
	overview.Account
	// Active marks the active account (acctui use).
	Active bool `json:"active"`
}

func withActive(accounts []overview.Account, active string) []accountOut {
	out := make([]accountOut, len(accounts))
	for i, a := range accounts {
		out[i] = accountOut{Account: a, Active: isActive(a, active)}
	}
	return out
}

func isActive(a overview.Account, active string) bool {
	return active != "" && strings.EqualFold(a.HomeAccountID, active)
}

// activeMark is what the table adds to the active account's line.
func activeMark(a overview.Account, active string) string {
	if isActive(a, active) {
		return "  (active)"
	}
	return ""
}
