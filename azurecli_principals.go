package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"acctui/engine"
	"acctui/internal/safetext"
	"acctui/principals"
	"acctui/vault"
)

// azSPFile is where the Azure CLI keeps the credentials of the service
// principals it signed in, in plaintext on Linux and macOS (on Windows it
// is encrypted, service_principal_entries.bin, which acctui cannot read).
const azSPFile = "service_principal_entries.json"

// azSPEntry is one entry of azSPFile, as az 2.45 writes it
// (azure/cli/core/auth/identity.py, ServicePrincipalAuth): client_id,
// tenant and one of client_secret, certificate (a PEM file's path, with
// use_cert_sn_issuer) or client_assertion. It holds a secret: it prints
// without it.
type azSPEntry struct {
	ClientID        string `json:"client_id"`
	Tenant          string `json:"tenant"`
	ClientSecret    string `json:"client_secret"`
	Certificate     string `json:"certificate"`
	UseCertSNIssuer any    `json:"use_cert_sn_issuer"`
	ClientAssertion string `json:"client_assertion"`
}

// String names the entry without its secret.
func (e azSPEntry) String() string {
	return fmt.Sprintf("az service principal %s (tenant %s)", safetext.Line(e.ClientID), safetext.Line(e.Tenant))
}

// GoString is String, for %#v.
func (e azSPEntry) GoString() string { return e.String() }

// Format is String for every verb, so no formatting path prints a secret.
func (e azSPEntry) Format(f fmt.State, _ rune) { fmt.Fprint(f, e.String()) }

// LogValue is String, for log/slog.
func (e azSPEntry) LogValue() slog.Value { return slog.StringValue(e.String()) }

// azSPImport is what import makes of az's service principals: the
// principals to store and one line for each entry it cannot import.
type azSPImport struct {
	found      bool // az's file is there
	principals []principal
	skipped    []string
}

// readAzServicePrincipals reads az's service principal entries and turns
// each into a principal as login --service-principal would store it,
// reading the certificate files they name. A file that is not a list of
// entries is an error (nothing is imported); an entry acctui cannot use is
// a line in skipped. No message carries a secret.
func (a *app) readAzServicePrincipals(ctx context.Context, dir string) (azSPImport, error) {
	var out azSPImport
	data, err := readAzFile(ctx, dir, azSPFile)
	if err != nil || data == nil {
		return out, err
	}
	out.found = true
	path := filepath.Join(dir, azSPFile)
	var entries []azSPEntry
	if len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, &entries); err != nil {
			return out, fmt.Errorf("%s is not the Azure CLI's list of service principals (a JSON array of entries with client_id and tenant); nothing was imported", safetext.Line(path))
		}
	}
	authority, err := engine.ParseAuthority(a.s.Authority)
	if err != nil {
		return out, usageError{err}
	}
	for i, e := range entries {
		p, reason := a.azPrincipal(ctx, e, authority)
		if reason != "" {
			out.skipped = append(out.skipped, fmt.Sprintf("not imported: %s entry %d: %s", azSPFile, i+1, reason))
			continue
		}
		out.principals = append(out.principals, p)
	}
	return out, nil
}

// azPrincipal is the principal of one az entry, or why there is none.
func (a *app) azPrincipal(ctx context.Context, e azSPEntry, authority engine.Authority) (principal, string) {
	if strings.TrimSpace(e.ClientID) == "" || strings.TrimSpace(e.Tenant) == "" {
		return principal{}, "no client_id or tenant"
	}
	name := "app " + safetext.Line(e.ClientID) + " (tenant " + safetext.Line(e.Tenant) + ")"
	p := principal{Kind: kindServicePrincipal, ClientID: e.ClientID, Tenant: e.Tenant, Authority: authority.WithTenant(e.Tenant).String()}
	switch {
	case e.ClientSecret != "":
		p.Credential, p.Secret = "secret", e.ClientSecret
	case e.Certificate != "":
		pemText, err := certificatePEM(ctx, e.Certificate, func() (string, error) { return "", nil })
		if err != nil {
			return principal{}, name + ": certificate " + safetext.Line(strings.TrimPrefix(err.Error(), "--certificate "))
		}
		p.Credential, p.CertificatePEM, p.SendX5C = "certificate", pemText, truthy(e.UseCertSNIssuer)
	case e.ClientAssertion != "":
		return principal{}, name + ": a federated token az was handed once (client_assertion) expires within the hour; sign in with: acctui login --service-principal --federated-token-file FILE"
	default:
		return principal{}, name + ": no client_secret, certificate or client_assertion"
	}
	return p, ""
}

// truthy reads use_cert_sn_issuer, which az stores as given (true, or a
// string from older releases).
func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(v, "true") || v == "1"
	}
	return false
}

// importAzServicePrincipals stores each principal as login stores it,
// sealed in the vault; az's cached app tokens for it came in with its
// token cache. When az's directory held nothing else and no entry could
// be imported, that is an error.
func (a *app) importAzServicePrincipals(ctx context.Context, v *vault.Vault, sps azSPImport, cacheImported bool) error {
	for _, p := range sps.principals {
		if err := principals.Save(ctx, v, p, nil); err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "Imported app %s (tenant %s, %s).\n", safetext.Line(p.ClientID), safetext.Line(p.Tenant), p.Credential)
	}
	for _, line := range sps.skipped {
		fmt.Fprintln(a.stderr, line)
	}
	if len(sps.skipped) > 0 && len(sps.principals) == 0 && !cacheImported {
		return fmt.Errorf("none of the Azure CLI's service principals could be imported (see above); nothing was imported")
	}
	return nil
}
