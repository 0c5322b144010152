// Package principals keeps the accounts that are not people — service
// principals with their credential, and managed identities — in the
// vault's shared record, beside their app tokens. The command line and the
// TUI both list, sign in, refresh and remove them through it.
package principals

import (
	"fmt"
	"log/slog"
	"strings"

	"acctui/engine"
)

// The kinds of accounts that are not people.
const (
	KindServicePrincipal = "service_principal"
	KindManagedIdentity  = "managed_identity"
)

// Principal is an account that is not a person: a service principal with
// its credential, or a managed identity. It holds secrets: it prints
// without them.
type Principal struct {
	Kind      string `json:"kind"`
	ClientID  string `json:"client_id,omitempty"`
	Tenant    string `json:"tenant,omitempty"`
	Authority string `json:"authority,omitempty"`
	// Credential is secret, certificate or federated (service principals).
	Credential string `json:"credential,omitempty"`
	// Secret is the client secret.
	Secret string `json:"secret,omitempty"`
	// CertificatePEM is the certificate chain and its unencrypted private
	// key, in PEM: the vault's encryption protects it, so a PKCS#12
	// password is not needed again.
	CertificatePEM string `json:"certificate_pem,omitempty"`
	// SendX5C sends the certificate chain with each assertion, for apps
	// that trust a certificate by subject name and issuer (az's
	// use_cert_sn_issuer).
	SendX5C bool `json:"send_x5c,omitempty"`
	// FederatedTokenFile is read afresh on every acquisition.
	FederatedTokenFile string `json:"federated_token_file,omitempty"`
	// ObjectID and ResourceID name a user-assigned managed identity.
	ObjectID   string `json:"object_id,omitempty"`
	ResourceID string `json:"resource_id,omitempty"`
	AddedAt    int64  `json:"added_at"`
}

// Name is how commands refer to the principal: the client id of a service
// principal, else the managed identity's id, else "managed-identity".
func (p Principal) Name() string {
	switch {
	case p.Kind == KindServicePrincipal:
		return p.ClientID
	case p.ClientID != "":
		return p.ClientID
	case p.ObjectID != "":
		return p.ObjectID
	case p.ResourceID != "":
		return p.ResourceID
	}
	return "managed-identity"
}

// KindText is the kind for people.
func (p Principal) KindText() string {
	if p.Kind == KindServicePrincipal {
		return "app (" + p.Credential + ")"
	}
	if p.ClientID == "" && p.ObjectID == "" && p.ResourceID == "" {
		return "managed identity (system-assigned)"
	}
	return "managed identity (user-assigned)"
}

// Matches reports whether name refers to p (ignoring case).
func (p Principal) Matches(name string) bool {
	for _, id := range []string{p.Name(), p.ClientID, p.ObjectID, p.ResourceID} {
		if id != "" && strings.EqualFold(id, name) {
			return true
		}
	}
	return false
}

// Same reports whether q is the same identity as p (a new login replaces
// the old entry).
func (p Principal) Same(q Principal) bool {
	return p.Kind == q.Kind && strings.EqualFold(p.ClientID, q.ClientID) && strings.EqualFold(p.Tenant, q.Tenant) &&
		strings.EqualFold(p.ObjectID, q.ObjectID) && strings.EqualFold(p.ResourceID, q.ResourceID)
}

// ID names the identity uniquely among the vault's principals (kind, ids
// and tenant), without its credential; the TUI keys its rows by it.
func (p Principal) ID() string {
	return strings.ToLower(strings.Join([]string{"principal", p.Kind, p.ClientID, p.ObjectID, p.ResourceID, p.Tenant}, "|"))
}

// String names the principal without its credential.
func (p Principal) String() string {
	return fmt.Sprintf("principal{%s %s tenant %s}", p.Kind, p.Name(), p.Tenant)
}

// GoString is String, for %#v.
func (p Principal) GoString() string { return p.String() }

// Format is String for every verb, so no formatting path prints a secret.
func (p Principal) Format(f fmt.State, _ rune) { fmt.Fprint(f, p.String()) }

// LogValue is String, for log/slog.
func (p Principal) LogValue() slog.Value { return slog.StringValue(p.String()) }

// CacheClientID is the client_id its tokens are cached under.
func (p Principal) CacheClientID() string {
	if p.Kind == KindServicePrincipal {
		return p.ClientID
	}
	return p.ManagedIdentity().CacheClientID()
}

// ManagedIdentity is the engine's name for a managed identity principal.
func (p Principal) ManagedIdentity() engine.ManagedIdentity {
	return engine.ManagedIdentity{ClientID: p.ClientID, ObjectID: p.ObjectID, ResourceID: p.ResourceID}
}

// Credential rebuilds a service principal's credential.
func Credential(p Principal) (engine.ClientCredential, error) {
	switch p.Credential {
	case "secret":
		return engine.NewSecretCredential(engine.Secret(p.Secret))
	case "certificate":
		chain, key, err := engine.ParseCertificate([]byte(p.CertificatePEM), "")
		if err != nil {
			return nil, err
		}
		return engine.NewCertificateCredential(chain, key, engine.CertificateOptions{SendX5C: p.SendX5C})
	case "federated":
		return engine.NewAssertionFileCredential(p.FederatedTokenFile)
	}
	return nil, fmt.Errorf("the vault holds an unknown credential kind %q for %s", p.Credential, p.ClientID)
}
