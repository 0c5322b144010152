package idptest

import (
	"crypto/sha256"
	"fmt"
)

// Well-known identifiers of the default directory, fixed so that tests,
// documentation and demo caches can name them.
const (
	ContosoTenantID  = "7c6e2a3b-4f1d-4e8a-9b2c-0d1e2f3a4b5c"
	FabrikamTenantID = "3f9a8b7c-6d5e-4f4a-8b3c-2d1e0f9a8b7c"
	// ConsumersTenantID is the tenant of personal Microsoft accounts.
	ConsumersTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"

	AzureCLIClientID        = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
	AzurePowerShellClientID = "1950a258-227b-4e31-a9cf-717495945fc2"
	// ConfidentialClientID is the default directory's web app with a secret.
	ConfidentialClientID = "5a1d0c2e-8f3b-4c6d-9e7a-1b2c3d4e5f60"
	// ConfidentialSecret is that app's secret; it is a test fixture.
	ConfidentialSecret = "demo-app-secret"
	// ConfidentialRedirectURI is the web app's registered redirect URI.
	ConfidentialRedirectURI = "https://app.contoso.example/auth/callback"
)

// DefaultDirectory returns the directory used by acctui --demo and by tests:
// contoso with alice (plain), bob (MFA required), carol (10-minute tokens)
// and erin (federated domain ad.contoso.example: AD FS, WS-Trust 1.3, SAML
// 1.1), fabrikam with dave and frank (federated domain ad.fabrikam.example:
// WS-Trust 2005 only, SAML 2.0); every password is "demo-" and the first
// name.
func DefaultDirectory() *Directory {
	d := &Directory{
		DefaultTenant: "contoso",
		Tenants: []*Tenant{
			{
				Name: "contoso", ID: ContosoTenantID, Domain: "contoso.example",
				Users: []*User{
					{Username: "alice@contoso.example", Password: "demo-alice", Name: "Alice Example"},
					{Username: "bob@contoso.example", Password: "demo-bob", Name: "Bob Example", MFARequired: true},
					{Username: "carol@contoso.example", Password: "demo-carol", Name: "Carol Example", AccessTokenSeconds: 600},
					{Username: "erin@ad.contoso.example", Password: "demo-erin", Name: "Erin Example"},
				},
				FederatedDomains: []*FederatedDomain{{Domain: "ad.contoso.example"}},
			},
			{
				Name: "fabrikam", ID: FabrikamTenantID, Domain: "fabrikam.example",
				Users: []*User{
					{Username: "dave@fabrikam.example", Password: "demo-dave", Name: "Dave Example"},
					{Username: "frank@ad.fabrikam.example", Password: "demo-frank", Name: "Frank Example"},
				},
				FederatedDomains: []*FederatedDomain{{Domain: "ad.fabrikam.example", SAML2: true, Only2005: true}},
			},
		},
		Apps: []*App{
			{ClientID: AzureCLIClientID, Name: "Microsoft Azure CLI", Public: true, Family: true},
			{ClientID: AzurePowerShellClientID, Name: "Microsoft Azure PowerShell", Public: true, Family: true},
			{ClientID: ConfidentialClientID, Name: "Contoso Web App", Secret: ConfidentialSecret,
				RedirectURIs: []string{ConfidentialRedirectURI}},
		},
	}
	if err := d.validate(); err != nil {
		panic("idptest: default directory: " + err.Error())
	}
	return d
}

// stableGUID derives a GUID-shaped identifier from a seed, so object ids stay
// the same across runs without being written into the directory.
func stableGUID(seed string) string {
	h := sha256.Sum256([]byte(seed))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}
