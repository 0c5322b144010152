package main

import (
	"fmt"

	"acctui/engine"
	"acctui/overview"
)

// authority is the configured authority: the OpenID Connect issuer when
// one is set, else the Microsoft authority. Its error says which forms are
// accepted.
func (a *app) authority() (engine.Authority, error) {
	switch a.s.InstanceDiscovery {
	case "", "on", "off":
	default:
		return engine.Authority{}, usagef("--instance-discovery %q: want on or off", a.s.InstanceDiscovery)
	}
	if a.s.OIDCAuthority != "" {
		authority, err := engine.ParseOIDCAuthority(a.s.OIDCAuthority)
		if err != nil {
			return engine.Authority{}, usageError{err}
		}
		return authority, nil
	}
	authority, err := engine.ParseAuthority(a.s.Authority)
	if err != nil {
		return engine.Authority{}, usageError{fmt.Errorf("%w; accepted forms: %s", err, engine.AuthorityForms)}
	}
	return authority, nil
}

// defaultScopes are asked for when the user names none: the cloud's Azure
// Resource Manager for Entra authorities; the app itself for B2C (its
// documented way to get an access token without an API); nothing beyond
// openid profile offline_access for External ID, AD FS and generic
// providers, which have no Resource Manager.
func (a *app) defaultScopes() []string {
	authority, err := a.authority()
	if err != nil {
		return []string{defaultScopeFor(a.s.Authority)} // the error comes with the client
	}
	switch authority.Kind {
	case engine.KindEntra:
		return []string{defaultScopeFor(a.s.Authority)}
	case engine.KindB2C:
		return []string{a.s.ClientID}
	}
	return nil
}

// accountPlace says where an account lives, for one line of output (see
// overview.Place); "tenant <id>" when the authority setting is unusable.
func (a *app) accountPlace(homeAccountID string) string {
	return a.accountPlacer()(homeAccountID)
}

// accountPlacer is accountPlace with the authority parsed once, for a
// list of thousands.
func (a *app) accountPlacer() func(homeAccountID string) string {
	authority, err := a.authority()
	return func(homeAccountID string) string {
		if err != nil {
			return "tenant " + tenantOf(homeAccountID)
		}
		return overview.Place(authority, homeAccountID)
	}
}
