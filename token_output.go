package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"acctui/engine"
	"acctui/internal/safetext"
)

// Values of token --output.
const (
	outputDefault        = "default"
	outputJSON           = "json"
	outputAz             = "az"
	outputExecCredential = "exec-credential"
)

var tokenOutputs = []string{outputDefault, outputJSON, outputAz, outputExecCredential}

// tokenOutputHelp is the --output flag's help.
const tokenOutputHelp = `output format: default (the token alone), json, az (as az account get-access-token), exec-credential (a Kubernetes ExecCredential)`

// checkChoice is the one check of an enumerated flag: a value not among
// choices is a usage error that lists them in words.
func checkChoice(flag, value string, choices []string) error {
	for _, c := range choices {
		if value == c {
			return nil
		}
	}
	return usagef("--%s %q is not one of: %s", flag, value, strings.Join(choices, ", "))
}

// tokenOutputOf settles --output against the older --json.
func tokenOutputOf(output string, outputSet, asJSON bool) (string, error) {
	if err := checkChoice("output", output, tokenOutputs); err != nil {
		return "", err
	}
	if asJSON {
		if outputSet && output != outputJSON {
			return "", usagef("--json and --output %s contradict each other (--json is --output json)", output)
		}
		return outputJSON, nil
	}
	return output, nil
}

// tokenFormat settles the output format before any work, so a bad
// --output or KUBERNETES_EXEC_INFO fails without touching the vault;
// execVersion is the ExecCredential apiVersion to answer in.
func tokenFormat(output string, outputSet, asJSON bool, getenv func(string) string) (format, execVersion string, err error) {
	format, err = tokenOutputOf(output, outputSet, asJSON)
	if err != nil || format != outputExecCredential {
		return format, "", err
	}
	execVersion, err = execCredentialVersion(getenv("KUBERNETES_EXEC_INFO"))
	return format, execVersion, err
}

// writeToken prints a token in the format asked for. tenant is --tenant
// (az prints it, and no subscription, when one is given); now is the clock
// the relative fields are computed from.
func writeToken(w io.Writer, format, execVersion, tenant string, r engine.Result, acct engine.Account, now time.Time) error {
	switch format {
	case outputJSON:
		return writeJSON(w, tokenJSON{
			AccessToken: r.AccessToken.Reveal(), TokenType: r.TokenType,
			ExpiresOn: r.ExpiresOn.Unix(), ExpiresIn: int64(r.ExpiresOn.Sub(now).Seconds()),
			Scopes: r.Scopes, Source: string(r.Source),
			Account: tokenAccount{Username: acct.Username, HomeAccountID: acct.HomeAccountID, TenantID: tenantOf(acct.HomeAccountID)},
		})
	case outputAz:
		return writeAzToken(w, r, acct, tenant)
	case outputExecCredential:
		return writeExecCredential(w, execVersion, r)
	}
	// A real token is printable ASCII and passes unchanged; one with
	// control bytes comes from a hostile identity provider.
	_, err := fmt.Fprintln(w, safetext.Line(r.AccessToken.Reveal()))
	return err
}

// azToken is what az account get-access-token prints. Field order is
// az's: its JSON output sorts keys.
type azToken struct {
	AccessToken string `json:"accessToken"`
	// ExpiresOn is local time without a zone, as az prints it.
	ExpiresOn    string `json:"expiresOn"`
	ExpiresOnSec int64  `json:"expires_on"`
	// Subscription is the tenant id: the "subscription" az records for an
	// account it knows at tenant level (az login --allow-no-subscriptions),
	// as export --azure-cli writes acctui's accounts. Like az, it is left
	// out when --tenant names the tenant.
	Subscription string `json:"subscription,omitempty"`
	Tenant       string `json:"tenant"`
	TokenType    string `json:"tokenType"`
}

// azExpiresOnLayout is Python's "%Y-%m-%d %H:%M:%S.%f", az's format.
const azExpiresOnLayout = "2006-01-02 15:04:05.000000"

func writeAzToken(w io.Writer, r engine.Result, acct engine.Account, tenantFlag string) error {
	tenant, subscription := tenantFlag, ""
	if tenant == "" {
		tenant = tenantOf(acct.HomeAccountID)
		if tenant == "" && len(acct.Realms) > 0 {
			tenant = acct.Realms[0]
		}
		subscription = tenant
	}
	tokenType := r.TokenType
	if tokenType == "" {
		tokenType = "Bearer"
	}
	return writeJSONAsPython(w, azToken{
		AccessToken:  r.AccessToken.Reveal(),
		ExpiresOn:    r.ExpiresOn.Local().Format(azExpiresOnLayout),
		ExpiresOnSec: r.ExpiresOn.Unix(),
		Subscription: subscription,
		Tenant:       tenant,
		TokenType:    tokenType,
	})
}

// writeJSONAsPython indents by two and leaves <, > and & alone, as
// Python's json.dumps does for az.
func writeJSONAsPython(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
