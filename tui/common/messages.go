package common

import (
	"acctui/engine"
	"acctui/overview"
)

// BackMsg asks the root to leave the current screen.
type BackMsg struct{}

// StatusKind says how a status line reads: information, success, a warning
// or an error. Each kind has its own symbol, so colour is not needed.
type StatusKind int

// The status kinds.
const (
	StatusInfo StatusKind = iota
	StatusOK
	StatusWarn
	StatusError
)

// StatusMsg puts a line in the status bar.
type StatusMsg struct {
	Kind StatusKind
	Text string
}

// OpenAccountMsg asks the root to show an account's details.
type OpenAccountMsg struct{ Account overview.Account }

// AddAccountMsg asks the root to start a new sign-in.
type AddAccountMsg struct{}

// RefreshMsg asks the root to refresh an account silently (Force skips the
// cached access token); when that needs the user, the root goes on to a
// sign-in for that account.
type RefreshMsg struct {
	Account overview.Account
	Force   bool
}

// CopyAccessTokenMsg asks the root to copy an account's access token.
type CopyAccessTokenMsg struct{ Account overview.Account }

// CopySecretMsg asks the root to copy a secret the screen already holds;
// Label names it in the status line ("access token").
type CopySecretMsg struct {
	Label  string
	Secret engine.Secret
}

// CopyTextMsg asks the root to copy text that is not a secret (a sign-in
// URL, a device code): it is not cleared afterwards.
type CopyTextMsg struct {
	Label string
	Text  string
}

// RemoveAccountMsg asks the root to confirm and remove an account.
type RemoveAccountMsg struct{ Account overview.Account }

// ViewTokenMsg asks the root to show an account's tokens.
type ViewTokenMsg struct{ Account overview.Account }

// SignInAgainMsg asks the root to sign an account in again because a
// silent call was refused (Err: a revoked refresh token, MFA, a claims
// challenge); every key that needs a token leads here, as r does.
type SignInAgainMsg struct {
	Account overview.Account
	Err     error
}

// ReloadAccountsMsg asks the root to re-read the account list, because a
// screen's call changed the cache (a silent refresh).
type ReloadAccountsMsg struct{}

// UseAccountMsg asks the root to make an account the active one, as
// `acctui use` does.
type UseAccountMsg struct{ Account overview.Account }

// ActiveTag marks the active account in the list and the detail screen,
// in the words `acctui accounts` uses.
const ActiveTag = "(active)"
