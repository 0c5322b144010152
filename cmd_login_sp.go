package main

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/internal/safetext"
	"acctui/principals"
	"acctui/vault"

	"github.com/spf13/pflag"
)

// maxCertificateFileSize bounds a certificate file: a PEM chain with its
// key or a PKCS#12 bundle is a few KB.
const maxCertificateFileSize = 1 << 20

// principalLoginOptions are login's flags for accounts that are not people.
type principalLoginOptions struct {
	servicePrincipal   bool
	identity           bool
	secretStdin        bool
	certificate        string
	federatedTokenFile string
	objectID           string
	resourceID         string
	// clientIDGiven says --client-id (or ACCTUI_CLIENT_ID) was set, so it
	// names the app or the user-assigned identity.
	clientIDGiven bool
}

// addPrincipalLoginFlags adds the service principal and managed identity
// flags to login.
func addPrincipalLoginFlags(f *pflag.FlagSet, o *principalLoginOptions) {
	f.BoolVar(&o.servicePrincipal, "service-principal", false, "sign in as an app (service principal) with --client-id and --tenant and a secret, certificate or federated token")
	f.BoolVar(&o.identity, "identity", false, "sign in as this Azure resource's managed identity (user-assigned with --client-id, --object-id or --resource-id)")
	f.BoolVar(&o.secretStdin, "secret-stdin", false, "read the service principal's client secret from stdin")
	f.StringVar(&o.certificate, "certificate", "", "service principal certificate: PEM with its private key, or PKCS#12 (password from --password-stdin or a prompt)")
	f.StringVar(&o.federatedTokenFile, "federated-token-file", "", "file holding a federated token (workload identity); read afresh on every token request")
	f.StringVar(&o.objectID, "object-id", "", "object id of a user-assigned managed identity")
	f.StringVar(&o.resourceID, "resource-id", "", "resource id of a user-assigned managed identity")
}

// isPrincipalLogin reports whether login signs in an app or an identity.
func (o principalLoginOptions) isPrincipalLogin() bool { return o.servicePrincipal || o.identity }

// loginPrincipal signs in a service principal or managed identity: it gets
// a token with the credential first, in memory, and only then stores the
// credential and the token in the vault, so a bad credential leaves
// nothing behind.
func (a *app) loginPrincipal(ctx context.Context, o loginOptions) error {
	sp := o.principal
	if sp.servicePrincipal && sp.identity {
		return usagef("--service-principal and --identity exclude each other")
	}
	if len(o.scopes) == 0 {
		o.scopes = []string{defaultScopeFor(a.s.Authority)}
	}
	scopes := splitScopes(o.scopes)
	if len(scopes) != 1 {
		return usagef("an app or managed identity token is for one resource: pass one --scope such as https://graph.microsoft.com/.default")
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	v, err := a.openVault(ctx)
	if err != nil {
		return err
	}
	if err := a.refuseWeakNewVault(ctx, v); err != nil {
		return err
	}
	var p principal
	if sp.identity {
		p, err = a.identityPrincipal(sp)
	} else {
		p, err = a.servicePrincipal(ctx, o)
	}
	if err != nil {
		return err
	}
	result, err := a.storePrincipal(ctx, v, p, scopes)
	if err != nil {
		return err
	}
	a.log.Debug("login", "principal", p, "expires_on", result.ExpiresOn)
	if p.Kind == kindServicePrincipal {
		fmt.Fprintf(a.stderr, "Signed in as app %s (tenant %s, %s).\n", safetext.Line(p.ClientID), safetext.Line(p.Tenant), p.Credential)
	} else {
		fmt.Fprintf(a.stderr, "Signed in as the %s %s.\n", p.KindText(), safetext.Line(p.Name()))
	}
	return nil
}

// storePrincipal gets a token for p with its credential, in memory, and
// only then stores the credential and the token in the vault, so a bad
// credential leaves nothing behind.
func (a *app) storePrincipal(ctx context.Context, v *vault.Vault, p principal, scopes []string) (engine.Result, error) {
	store := engine.NewMemoryStore(nil)
	result, err := a.principalToken(ctx, p, store, scopes, true)
	if err != nil {
		return engine.Result{}, err
	}
	tokens := store.Snapshot().FindAccessTokens(cache.AccessTokenQuery{ClientID: p.CacheClientID()})
	if err := savePrincipal(ctx, v, p, tokens); err != nil {
		return engine.Result{}, err
	}
	return result, nil
}

// identityPrincipal checks the managed identity flags.
func (a *app) identityPrincipal(sp principalLoginOptions) (principal, error) {
	if sp.secretStdin || sp.certificate != "" || sp.federatedTokenFile != "" {
		return principal{}, usagef("--identity takes no secret, certificate or federated token")
	}
	p := principal{Kind: kindManagedIdentity, ObjectID: sp.objectID, ResourceID: sp.resourceID}
	if sp.clientIDGiven {
		p.ClientID = a.s.ClientID
	}
	n := 0
	for _, id := range []string{p.ClientID, p.ObjectID, p.ResourceID} {
		if id != "" {
			n++
		}
	}
	if n > 1 {
		return principal{}, usagef("name a user-assigned identity by one of --client-id, --object-id or --resource-id")
	}
	return p, nil
}

// servicePrincipal checks the service principal flags and reads its
// credential.
func (a *app) servicePrincipal(ctx context.Context, o loginOptions) (principal, error) {
	sp := o.principal
	if !sp.clientIDGiven {
		return principal{}, usagef("--service-principal needs --client-id (the app's application id)")
	}
	if o.tenant == "" {
		return principal{}, usagef("--service-principal needs --tenant (the tenant id or domain)")
	}
	if sp.objectID != "" || sp.resourceID != "" {
		return principal{}, usagef("--object-id and --resource-id go with --identity")
	}
	authority, err := engine.ParseAuthority(a.s.Authority)
	if err != nil {
		return principal{}, usageError{err}
	}
	p := principal{Kind: kindServicePrincipal, ClientID: a.s.ClientID, Tenant: o.tenant, Authority: authority.WithTenant(o.tenant).String()}
	given := 0
	for _, set := range []bool{sp.secretStdin, sp.certificate != "", sp.federatedTokenFile != ""} {
		if set {
			given++
		}
	}
	if given > 1 {
		return principal{}, usagef("give one of --secret-stdin, --certificate or --federated-token-file")
	}
	switch {
	case sp.certificate != "":
		p.Credential = "certificate"
		p.CertificatePEM, err = a.readCertificate(ctx, sp.certificate, o.passwordStdin)
	case sp.federatedTokenFile != "":
		p.Credential = "federated"
		p.FederatedTokenFile, err = filepath.Abs(sp.federatedTokenFile)
	default:
		p.Credential = "secret"
		p.Secret, err = a.readClientSecret(ctx, sp.secretStdin)
	}
	if err != nil {
		return principal{}, err
	}
	return p, nil
}

// readClientSecret reads the secret from stdin or, on a terminal, a
// prompt without echo.
func (a *app) readClientSecret(ctx context.Context, fromStdin bool) (string, error) {
	var secret string
	var err error
	switch {
	case fromStdin:
		secret, err = readStdinSecret(a.stdin)
	case a.stdinTTY:
		secret, err = readSecretLine(ctx, a.stderr, "Client secret: ")
	default:
		return "", usageError{errNoTerminal("the client secret (use --secret-stdin, --certificate or --federated-token-file)")}
	}
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(secret) == "" {
		return "", errors.New("the client secret is empty")
	}
	return secret, nil
}

// readCertificate reads a PEM or PKCS#12 certificate with its key and
// returns it as PEM (chain, then PKCS#8 key), checked to be usable.
func (a *app) readCertificate(ctx context.Context, path string, passwordStdin bool) (string, error) {
	return certificatePEM(ctx, path, func() (string, error) {
		switch {
		case passwordStdin:
			return readStdinSecret(a.stdin)
		case a.stdinTTY:
			return readSecretLine(ctx, a.stderr, "Password of "+safetext.Line(filepath.Base(path))+": ")
		}
		return "", nil
	})
}

// certificatePEM reads a PEM or PKCS#12 certificate with its key (asking
// password for a PKCS#12 file's) and returns it as PEM (chain, then PKCS#8
// key), checked to be usable.
func certificatePEM(ctx context.Context, path string, password func() (string, error)) (string, error) {
	data, err := readUserFile(ctx, "--certificate", path, maxCertificateFileSize)
	if err != nil {
		return "", err
	}
	var pass string
	if !strings.Contains(string(data), "-----BEGIN") {
		if pass, err = password(); err != nil {
			return "", err
		}
	}
	chain, key, err := engine.ParseCertificate(data, engine.Secret(pass))
	if err != nil {
		return "", certificateError(path, err)
	}
	if _, err := engine.NewCertificateCredential(chain, key, engine.CertificateOptions{}); err != nil {
		return "", certificateError(path, err)
	}
	if now := time.Now(); now.After(chain[0].NotAfter) {
		return "", fmt.Errorf("--certificate %s: it expired on %s; upload a new one to the app registration", path, chain[0].NotAfter.UTC().Format(time.DateOnly))
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("--certificate %s: %w", path, err)
	}
	var b strings.Builder
	for _, c := range chain {
		b.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
	}
	b.Write(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	return b.String(), nil
}

// certificateError names the file once, without the engine's own prefix.
func certificateError(path string, err error) error {
	return fmt.Errorf("--certificate %s: %s", path, strings.TrimPrefix(err.Error(), "engine: certificate: "))
}

// principalCredential rebuilds a service principal's credential.
func principalCredential(p principal) (engine.ClientCredential, error) {
	return principals.Credential(p)
}

// principalToken gets a token for a principal, from store's cache when it
// can (force skips it).
func (a *app) principalToken(ctx context.Context, p principal, store engine.CacheStore, scopes []string, force bool) (engine.Result, error) {
	var opts []engine.Option
	if force {
		opts = append(opts, engine.WithForceRefresh())
	}
	if p.Kind == kindManagedIdentity {
		client, err := a.managedIdentityClient(ctx, p, store)
		if err != nil {
			return engine.Result{}, err
		}
		r, err := client.AcquireToken(ctx, scopes[0], opts...)
		return r, notOnAzure(err)
	}
	cred, err := principalCredential(p)
	if err != nil {
		return engine.Result{}, err
	}
	httpClient, err := a.httpClient(ctx)
	if err != nil {
		return engine.Result{}, err
	}
	client, err := engine.New(engine.Config{ClientID: p.ClientID, Authority: p.Authority, HTTPClient: httpClient,
		Cache: store, Credential: cred, Logger: a.log})
	if err != nil {
		return engine.Result{}, usageError{err}
	}
	return client.AcquireTokenForClient(ctx, scopes, opts...)
}

// managedIdentityClient finds the identity source from the environment.
// ACCTUI_IMDS_ENDPOINT replaces 169.254.169.254 (tests, proxies).
func (a *app) managedIdentityClient(ctx context.Context, p principal, store engine.CacheStore) (*engine.ManagedIdentityClient, error) {
	httpClient, err := a.identityHTTPClient(ctx)
	if err != nil {
		return nil, err
	}
	return engine.NewManagedIdentityClient(engine.ManagedIdentityConfig{
		Identity: p.ManagedIdentity(), HTTPClient: httpClient, Cache: store, Getenv: a.getenv,
		IMDSEndpoint: a.getenv("ACCTUI_IMDS_ENDPOINT"), Logger: a.log,
	})
}

// identityHTTPClient gives up on a connection within a second, so "not on
// Azure" is said at once, and trusts --ca-file like every other request.
func (a *app) identityHTTPClient(ctx context.Context) (*http.Client, error) {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	if a.s.CAFile != "" {
		pemData, err := readUserFile(ctx, "--ca-file", a.s.CAFile, maxCAFileSize)
		if err != nil {
			return nil, usageError{err}
		}
		rt, err := transportWithRoots(pemData)
		if err != nil {
			return nil, usageError{err}
		}
		transport = rt.(*http.Transport)
	}
	transport.Proxy = nil // IMDS is link-local: a proxy cannot reach it
	transport.DialContext = (&net.Dialer{Timeout: time.Second}).DialContext
	return &http.Client{Transport: transport, Timeout: 30 * time.Second}, nil
}

// notOnAzure words ErrNoManagedIdentity for people.
func notOnAzure(err error) error {
	if errors.Is(err, engine.ErrNoManagedIdentity) {
		return fmt.Errorf("no managed identity here: nothing answered at the identity endpoint; --identity works only on an Azure resource with a managed identity")
	}
	return err
}
