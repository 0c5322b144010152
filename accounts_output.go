package main

import (
	"strings"

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

// accountOut is an account as accounts --output json prints it.
type accountOut struct {
	overview.Account
	// Active marks the active account (acctui use).
	Active bool `json:"active"`
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
