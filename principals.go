package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/vault"
)

// principalsKey is the vault metadata key of the service principals and
// managed identities acctui signed in. It lives in the shared record, which
// the vault seals like every other, beside the app tokens (whose
// home_account_id is empty, so they live there too): the credential never
// touches disk in the clear and has no side file to forget on logout.
const principalsKey = "acctui.principals"

// The kinds of accounts that are not people.
const (
	kindServicePrincipal = "service_principal"
	kindManagedIdentity  = "managed_identity"
)

// principal is an account that is not a person: a service principal with
// its credential, or a managed identity. It holds secrets: it prints
// without them.
type principal struct {
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
	// FederatedTokenFile is read afresh on every acquisition.
	FederatedTokenFile string `json:"federated_token_file,omitempty"`
	// ObjectID and ResourceID name a user-assigned managed identity.
	ObjectID   string `json:"object_id,omitempty"`
	ResourceID string `json:"resource_id,omitempty"`
	AddedAt    int64  `json:"added_at"`
}

// principalList is the JSON stored under principalsKey.
type principalList struct {
	Principals []principal `json:"principals"`
}

// Name is how commands refer to the principal: the client id of a service
// principal, else the managed identity's id, else "managed-identity".
func (p principal) Name() string {
	switch {
	case p.Kind == kindServicePrincipal:
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
func (p principal) KindText() string {
	if p.Kind == kindServicePrincipal {
		return "app (" + p.Credential + ")"
	}
	if p.ClientID == "" && p.ObjectID == "" && p.ResourceID == "" {
		return "managed identity (system-assigned)"
	}
	return "managed identity (user-assigned)"
}

// matches reports whether name refers to p (ignoring case).
func (p principal) matches(name string) bool {
	for _, id := range []string{p.Name(), p.ClientID, p.ObjectID, p.ResourceID} {
		if id != "" && strings.EqualFold(id, name) {
			return true
		}
	}
	return false
}

// same reports whether q is the same identity as p (a new login replaces
// the old entry).
func (p principal) same(q principal) bool {
	return p.Kind == q.Kind && strings.EqualFold(p.ClientID, q.ClientID) && strings.EqualFold(p.Tenant, q.Tenant) &&
		strings.EqualFold(p.ObjectID, q.ObjectID) && strings.EqualFold(p.ResourceID, q.ResourceID)
}

// String names the principal without its credential.
func (p principal) String() string {
	return fmt.Sprintf("principal{%s %s tenant %s}", p.Kind, p.Name(), p.Tenant)
}

// GoString is String, for %#v.
func (p principal) GoString() string { return p.String() }

// Format is String for every verb, so no formatting path prints a secret.
func (p principal) Format(f fmt.State, _ rune) { fmt.Fprint(f, p.String()) }

// LogValue is String, for log/slog.
func (p principal) LogValue() slog.Value { return slog.StringValue(p.String()) }

// readPrincipals reads the list from a cache holding the shared record.
func readPrincipals(c *cache.Cache) ([]principal, error) {
	raw, ok := c.Metadata(principalsKey, 0)
	if !ok {
		return nil, nil
	}
	var list principalList
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("vault: the list of service principals is damaged: %w", err)
	}
	return list.Principals, nil
}

// writePrincipals stores the list; an empty one removes the key.
func writePrincipals(c *cache.Cache, list []principal) error {
	if len(list) == 0 {
		c.DeleteMetadata(principalsKey)
		return nil
	}
	raw, err := json.Marshal(principalList{Principals: list})
	if err != nil {
		return fmt.Errorf("vault: service principals: %w", err)
	}
	return c.SetMetadata(principalsKey, raw, 0)
}

// principals lists the vault's service principals and managed identities.
func principals(ctx context.Context, v *vault.Vault) ([]principal, error) {
	var list []principal
	err := v.Read(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		var err error
		list, err = readPrincipals(c)
		return err
	})
	return list, err
}

// findPrincipal finds the principal name refers to; ok is false when none
// does (name may be a person's account).
func (a *app) findPrincipal(ctx context.Context, name string) (principal, bool, error) {
	v, err := a.openVault(ctx)
	if err != nil {
		return principal{}, false, err
	}
	list, err := principals(ctx, v)
	if err != nil {
		return principal{}, false, err
	}
	var found []principal
	for _, p := range list {
		if name == "" || p.matches(name) {
			found = append(found, p)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], true, nil
	case len(found) > 1 && name != "":
		return principal{}, false, usagef("%q names several service principals (one per tenant); remove the others or pass --tenant", name)
	}
	return principal{}, false, nil
}

// savePrincipal stores p (replacing the same identity) and the app tokens
// acquired for it, in one write, so a failed save leaves nothing half done.
func savePrincipal(ctx context.Context, v *vault.Vault, p principal, tokens []cache.AccessToken) error {
	p.AddedAt = time.Now().Unix()
	return v.Write(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		list, err := readPrincipals(c)
		if err != nil {
			return err
		}
		kept := list[:0]
		for _, q := range list {
			if !q.same(p) {
				kept = append(kept, q)
			}
		}
		for _, at := range tokens {
			if err := c.SaveAccessToken(at); err != nil {
				return err
			}
		}
		return writePrincipals(c, append(kept, p))
	})
}

// removePrincipal deletes p and every app token cached for its client id.
func removePrincipal(ctx context.Context, v *vault.Vault, p principal) error {
	clientID := p.cacheClientID()
	return v.Write(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		list, err := readPrincipals(c)
		if err != nil {
			return err
		}
		kept := list[:0]
		for _, q := range list {
			if !q.same(p) {
				kept = append(kept, q)
			}
		}
		for _, at := range c.FindAccessTokens(cache.AccessTokenQuery{ClientID: clientID}) {
			c.RemoveAccessToken(at)
		}
		return writePrincipals(c, kept)
	})
}

// cacheClientID is the client_id its tokens are cached under.
func (p principal) cacheClientID() string {
	if p.Kind == kindServicePrincipal {
		return p.ClientID
	}
	return p.managedIdentity().CacheClientID()
}

// managedIdentity is the engine's name for a managed identity principal.
func (p principal) managedIdentity() engine.ManagedIdentity {
	return engine.ManagedIdentity{ClientID: p.ClientID, ObjectID: p.ObjectID, ResourceID: p.ResourceID}
}
