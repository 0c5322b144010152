package main

import (
	"context"
	"errors"
	"strings"

	"acctui/engine"
	"acctui/tui"
)

// addPrincipalFromTUI signs in the app or managed identity the TUI's
// add-account screen describes, the way acctui login --service-principal
// or --identity does: a token first, in memory, then the credential and the
// token in the vault together.
func (a *app) addPrincipalFromTUI(ctx context.Context, req tui.PrincipalRequest) (engine.Result, error) {
	p, err := a.principalFromTUI(ctx, req)
	if err != nil {
		return engine.Result{}, err
	}
	v, err := a.openVault(ctx)
	if err != nil {
		return engine.Result{}, err
	}
	result, err := a.storePrincipal(ctx, v, p, []string{defaultScopeFor(a.s.Authority)})
	if err != nil {
		return engine.Result{}, err
	}
	a.log.Debug("tui login", "principal", p, "expires_on", result.ExpiresOn)
	return result, nil
}

// principalFromTUI checks the form and reads the credential.
func (a *app) principalFromTUI(ctx context.Context, req tui.PrincipalRequest) (principal, error) {
	clientID, tenant := strings.TrimSpace(req.ClientID), strings.TrimSpace(req.Tenant)
	if req.ManagedIdentity {
		return principal{Kind: kindManagedIdentity, ClientID: clientID}, nil
	}
	switch {
	case clientID == "":
		return principal{}, errors.New("an app needs its client id (application id)")
	case tenant == "":
		return principal{}, errors.New("an app needs its tenant (id or domain)")
	case req.Secret.Reveal() != "" && req.CertificatePath != "":
		return principal{}, errors.New("give a secret or a certificate, not both")
	case req.Secret.Reveal() == "" && strings.TrimSpace(req.CertificatePath) == "":
		return principal{}, errors.New("an app needs a client secret or a certificate file")
	}
	authority, err := engine.ParseAuthority(a.s.Authority)
	if err != nil {
		return principal{}, err
	}
	p := principal{Kind: kindServicePrincipal, ClientID: clientID, Tenant: tenant, Authority: authority.WithTenant(tenant).String()}
	if path := strings.TrimSpace(req.CertificatePath); path != "" {
		p.Credential = "certificate"
		p.CertificatePEM, err = certificatePEM(ctx, path, func() (string, error) { return req.CertificatePassword.Reveal(), nil })
		return p, err
	}
	p.Credential, p.Secret = "secret", req.Secret.Reveal()
	return p, nil
}
