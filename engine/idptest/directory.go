package idptest

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Directory is the emulator's world: tenants with their users, and the
// applications that may ask for tokens. It can be built in Go or loaded from
// JSON (see LoadDirectory); the JSON field names below are the file format.
type Directory struct {
	Tenants []*Tenant `json:"tenants"`
	Apps    []*App    `json:"apps"`
	// DefaultTenant names the tenant whose authority idp serve announces
	// first; empty means the first tenant.
	DefaultTenant string `json:"default_tenant,omitempty"`
	// ManagedIdentities are the identities of the emulated Azure resource,
	// served at the IMDS, App Service and Azure Arc endpoints.
	ManagedIdentities []*ManagedIdentity `json:"managed_identities,omitempty"`
}

// Tenant is one Entra directory: a GUID, a verified domain and its users.
type Tenant struct {
	Name   string  `json:"name"`
	ID     string  `json:"id"`
	Domain string  `json:"domain"`
	Users  []*User `json:"users"`
	// FederatedDomains are further verified domains whose users sign in at
	// an on-premises identity provider (AD FS); the emulator plays that
	// provider too, at /sts/{domain}/adfs/services/trust/…
	FederatedDomains []*FederatedDomain `json:"federated_domains,omitempty"`
}

// FederatedDomain is a domain federated with AD FS: user realm discovery
// answers Federated for it, its users' passwords are checked by the
// emulated AD FS over WS-Trust, and Entra's token endpoint accepts the SAML
// assertions that AD FS issues instead of a password.
type FederatedDomain struct {
	Domain string `json:"domain"`
	// SAML2 makes AD FS issue SAML 2.0 assertions (redeemed with the
	// saml2-bearer grant) instead of its default SAML 1.1.
	SAML2 bool `json:"saml2,omitempty"`
	// Only2005 lists only the WS-Trust 2005 endpoint in the metadata
	// exchange document, as older AD FS farms do.
	Only2005 bool `json:"only_2005,omitempty"`
}

// User is a member of a tenant, with the behaviour tests need to provoke.
type User struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Name     string `json:"name"`
	// ObjectID is the user's oid; a stable one is derived when empty.
	ObjectID string `json:"oid,omitempty"`
	// MFARequired makes password grants fail with AADSTS50076 and the
	// browser sign-in ask for a second factor.
	MFARequired bool `json:"mfa_required,omitempty"`
	// ConsentRequired means the user has not yet consented to any app:
	// password and refresh grants fail with AADSTS65001 until consent is
	// given on the browser consent page.
	ConsentRequired bool `json:"consent_required,omitempty"`
	// Disabled makes every sign-in fail with AADSTS50057.
	Disabled bool `json:"disabled,omitempty"`
	// AccessTokenSeconds overrides the access-token lifetime (default 3600).
	AccessTokenSeconds int `json:"access_token_seconds,omitempty"`
	// RefreshInactiveSeconds overrides how long a refresh token may sit
	// unused before AADSTS700082 (default 90 days).
	RefreshInactiveSeconds int `json:"refresh_inactive_seconds,omitempty"`
}

// App is a registered application.
type App struct {
	ClientID string `json:"client_id"`
	Name     string `json:"name"`
	// Public apps (desktop, CLI) may use any loopback port in their redirect
	// URI (RFC 8252) and must not present a secret.
	Public bool `json:"public"`
	// Secret is required on every token request of a confidential app.
	Secret       string   `json:"secret,omitempty"`
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	// Family marks a member of the family of client IDs (FOCI): its refresh
	// tokens carry foci=1 and any family member may redeem them.
	Family bool `json:"family,omitempty"`
	// GraphPermissions are the delegated Microsoft Graph permissions users
	// have consented to for the app; Graph tokens and responses list them
	// whatever was asked. Empty means User.Read.
	GraphPermissions []string `json:"graph_permissions,omitempty"`
	// Certificates are PEM certificates registered on a confidential app:
	// a client assertion signed with one of their keys authenticates it.
	Certificates []string `json:"certificates,omitempty"`
	// FederatedCredentials trust tokens of other identity providers
	// (workload identity federation) as the app's client assertion.
	FederatedCredentials []FederatedCredential `json:"federated_credentials,omitempty"`
	// Roles are the application permissions granted to the app; its app
	// tokens carry them in roles.
	Roles []string `json:"roles,omitempty"`
}

// LoadDirectory reads a directory from a JSON file.
func LoadDirectory(path string) (*Directory, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("idptest: directory: %w", err)
	}
	var d Directory
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("idptest: directory %s: %w", path, err)
	}
	if err := d.validate(); err != nil {
		return nil, fmt.Errorf("idptest: directory %s: %w", path, err)
	}
	return &d, nil
}

// validate fills derived fields and rejects a directory the server could not
// answer for consistently.
func (d *Directory) validate() error {
	if len(d.Tenants) == 0 {
		return fmt.Errorf("no tenants")
	}
	seenTenant := map[string]bool{}
	seenUser := map[string]bool{}
	for _, t := range d.Tenants {
		if t.ID == "" || t.Domain == "" {
			return fmt.Errorf("tenant %q needs an id and a domain", t.Name)
		}
		keys := []string{strings.ToLower(t.ID), strings.ToLower(t.Domain)}
		for _, f := range t.FederatedDomains {
			if f.Domain == "" || strings.ContainsAny(f.Domain, "/?#@ ") {
				return fmt.Errorf("tenant %q has a bad federated domain %q", t.Name, f.Domain)
			}
			keys = append(keys, strings.ToLower(f.Domain))
		}
		for _, k := range keys {
			if seenTenant[k] {
				return fmt.Errorf("tenant %q repeats %q", t.Name, k)
			}
			seenTenant[k] = true
		}
		for _, u := range t.Users {
			key := strings.ToLower(u.Username)
			if key == "" || seenUser[key] {
				return fmt.Errorf("user %q is empty or repeated", u.Username)
			}
			seenUser[key] = true
			if u.ObjectID == "" {
				u.ObjectID = stableGUID("user:" + key)
			}
			if u.Name == "" {
				u.Name = u.Username
			}
		}
	}
	seenApp := map[string]bool{}
	for _, a := range d.Apps {
		key := strings.ToLower(a.ClientID)
		if key == "" || seenApp[key] {
			return fmt.Errorf("app %q is empty or repeated", a.ClientID)
		}
		seenApp[key] = true
		if a.Public && a.Secret != "" {
			return fmt.Errorf("app %q is public and has a secret", a.ClientID)
		}
		if !a.Public && a.Secret == "" && len(a.Certificates) == 0 && len(a.FederatedCredentials) == 0 {
			return fmt.Errorf("app %q is confidential and has no secret, certificate or federated credential", a.ClientID)
		}
	}
	return nil
}

// tenant resolves an authority's tenant segment (GUID or domain).
func (d *Directory) tenant(segment string) *Tenant {
	for _, t := range d.Tenants {
		if strings.EqualFold(t.ID, segment) || strings.EqualFold(t.Domain, segment) {
			return t
		}
	}
	return nil
}

// user finds a user by username, with the tenant it belongs to.
func (d *Directory) user(username string) (*User, *Tenant) {
	for _, t := range d.Tenants {
		for _, u := range t.Users {
			if strings.EqualFold(u.Username, username) {
				return u, t
			}
		}
	}
	return nil, nil
}

// userByOID finds a user by object id.
func (d *Directory) userByOID(oid string) (*User, *Tenant) {
	for _, t := range d.Tenants {
		for _, u := range t.Users {
			if strings.EqualFold(u.ObjectID, oid) {
				return u, t
			}
		}
	}
	return nil, nil
}

// app finds a registered application.
func (d *Directory) app(clientID string) *App {
	for _, a := range d.Apps {
		if strings.EqualFold(a.ClientID, clientID) {
			return a
		}
	}
	return nil
}

// tenantForDomain finds the tenant owning a username's domain.
func (d *Directory) tenantForDomain(domain string) *Tenant {
	for _, t := range d.Tenants {
		if strings.EqualFold(t.Domain, domain) {
			return t
		}
	}
	return nil
}

// federatedDomain finds the federated domain a username belongs to, with
// its tenant; nil when the domain is managed or unknown.
func (d *Directory) federatedDomain(username string) (*FederatedDomain, *Tenant) {
	domain := username
	if i := strings.LastIndex(username, "@"); i >= 0 {
		domain = username[i+1:]
	}
	for _, t := range d.Tenants {
		for _, f := range t.FederatedDomains {
			if strings.EqualFold(f.Domain, domain) {
				return f, t
			}
		}
	}
	return nil, nil
}

// federatedDomainByName finds a federated domain by its name.
func (d *Directory) federatedDomainByName(domain string) (*FederatedDomain, *Tenant) {
	return d.federatedDomain("@" + domain)
}
