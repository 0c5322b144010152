// Package backend is what acctui's terminal UI asks for accounts and tokens:
// an interface the screens call from tea.Cmds, and its implementation on the
// engine and a cache store. The UI never speaks HTTP or touches files itself.
package backend

import (
	"context"
	"time"

	"acctui/engine"
	"acctui/overview"
)

// Backend is everything the TUI needs from the auth engine and the vault.
// Every method may block on the network or on storage: callers run them in
// a tea.Cmd under a context deadline. Accounts are named by their home
// account id.
type Backend interface {
	// Accounts lists the signed-in accounts with the state of their tokens.
	Accounts(ctx context.Context) ([]overview.Account, error)
	// Refresh renews the account's access token silently (cache, then
	// refresh token); force skips a cached access token.
	Refresh(ctx context.Context, homeAccountID string, force bool) (engine.Result, error)
	// AccessToken returns a valid access token for the account, refreshing
	// silently when needed.
	AccessToken(ctx context.Context, homeAccountID string) (engine.Result, error)
	// IDTokenClaims returns the claims of the account's cached ID token,
	// decoded without checking its signature. It never returns the token.
	IDTokenClaims(ctx context.Context, homeAccountID string) (map[string]any, error)
	// SignInBrowser runs an interactive sign-in; openURL receives the
	// authorization URL once the loopback listener is ready, and must not
	// block.
	SignInBrowser(ctx context.Context, req SignInRequest, openURL func(url string) error) (engine.Result, error)
	// StartDeviceCode asks the identity provider for a device code.
	StartDeviceCode(ctx context.Context, req SignInRequest) (engine.DeviceCode, error)
	// FinishDeviceCode waits for the user to sign in with the device code.
	FinishDeviceCode(ctx context.Context, dc engine.DeviceCode) (engine.Result, error)
	// SignInPassword signs in with a username and password (ROPC, a flow
	// Microsoft deprecates: no MFA). req.Claims is passed on; the username
	// replaces req.LoginHint.
	SignInPassword(ctx context.Context, req SignInRequest, username string, password engine.Secret) (engine.Result, error)
	// AddPrincipal signs in a service principal or managed identity: it
	// gets a token with the credential first and only then keeps both in
	// the vault. The result's Account is empty (apps have no home account).
	AddPrincipal(ctx context.Context, req PrincipalRequest) (engine.Result, error)
	// Remove signs the account out of the app and deletes its tokens; for
	// a service principal, its stored credential too.
	Remove(ctx context.Context, homeAccountID string) error
	// ActiveAccount returns the home account id of the active account (the
	// one `acctui use` picked), or "" when none is; ErrNoActiveAccount when
	// the store cannot keep one.
	ActiveAccount(ctx context.Context) (string, error)
	// SetActiveAccount makes the account the active one.
	SetActiveAccount(ctx context.Context, homeAccountID string) error
}

// SignInRequest carries what a sign-in should know beforehand: whom to sign
// in (LoginHint) and a claims challenge from an earlier refusal (Claims).
type SignInRequest struct {
	LoginHint string
	Claims    string
	// Timeout bounds an interactive browser sign-in; zero means 5 minutes.
	Timeout time.Duration
}

// PrincipalRequest is what the add-account screen asks for an app or a
// managed identity. A service principal has a client id, a tenant and one
// credential: a secret or a certificate file (PEM, or PKCS#12 with its
// password); a managed identity an optional client id (user-assigned).
type PrincipalRequest struct {
	ManagedIdentity     bool
	ClientID            string
	Tenant              string
	Secret              engine.Secret
	CertificatePath     string
	CertificatePassword engine.Secret
}
