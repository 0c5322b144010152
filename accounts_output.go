package main

import (
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
// access token is valid). Text from outside acctui is made one line
// without tabs, so columns stay columns.
func writeAccountsTSV(w io.Writer, accounts []overview.Account) error {
	for _, a := range accounts {
		expires := ""
		if !a.ExpiresOn.IsZero() {
			expires = a.ExpiresOn.UTC().Format(time.RFC3339)
		}
		fields := []string{a.Username, a.Name, a.TenantID, a.HomeAccountID, string(a.Status), expires}
		for i, f := range fields {
			fields[i] = safetext.Line(f)
		}
		if _, err := fmt.Fprintln(w, strings.Join(fields, "\t")); err != nil {
			return err
		}
	}
	return nil
}
