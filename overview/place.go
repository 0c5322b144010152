package overview

import (
	"acctui/engine"
	"acctui/engine/cache"
)

// Place says where an account lives, for one line of output: its issuer
// for a generic OpenID Connect provider (its home account id holds no
// tenant), "AD FS <authority>" for AD FS, else "tenant <id>" with the
// authority type when it is not plain Entra (", B2C", ", External ID").
// The command line and the TUI both show it.
func Place(authority engine.Authority, homeAccountID string) string {
	if authority.Kind == engine.KindOIDC && authority.Owns(homeAccountID) {
		return "issuer " + authority.Issuer
	}
	if authority.Kind == engine.KindADFS {
		return "AD FS " + authority.String()
	}
	place := "tenant " + TenantOf(homeAccountID)
	if authority.Label() != "" && authority.Kind != engine.KindOIDC {
		place += ", " + authority.Label()
	}
	return place
}

// TenantOf is the tenant part of a home account id (<object>.<tenant>).
func TenantOf(homeAccountID string) string {
	return cache.HomeTenant(homeAccountID)
}

// SetPlace fills in where a person's account lives under authority: Place,
// and the authority type and issuer when they are not plain Entra.
func (a *Account) SetPlace(authority engine.Authority) {
	a.Place = Place(authority, a.HomeAccountID)
	if authority.Kind == engine.KindOIDC && !authority.Owns(a.HomeAccountID) {
		return // an account from another authority: nothing known about it
	}
	a.AuthorityLabel = authority.Label()
	if authority.Kind == engine.KindOIDC {
		a.Issuer = authority.Issuer
	}
}
