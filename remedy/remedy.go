// Package remedy classifies what went wrong in a sign-in or token call
// into what a person can do about it. The command line and the TUI word
// the same remedy their own way (a command to run, a key to press), so
// the classification lives here once.
package remedy

import (
	"context"
	"errors"
	"time"

	"acctui/engine"
)

// Flow is what the failed call was doing: the advice depends on it (an MFA
// refusal of a password sign-in means "use the browser"; the same refusal
// of a refresh means "sign in again").
type Flow string

// The flows.
const (
	FlowSilent   Flow = "silent"
	FlowBrowser  Flow = "browser"
	FlowDevice   Flow = "device"
	FlowPassword Flow = "password"
	FlowOther    Flow = ""
)

// Kind is the remedy.
type Kind int

// The remedies, from the most specific.
const (
	None Kind = iota
	// Wait: the identity provider asked clients to wait (Remedy.Wait).
	Wait
	// CheckPassword: the username or password is wrong.
	CheckPassword
	// UseBrowserOrDevice: the password flow cannot do what the account
	// needs (MFA, consent, a claims challenge).
	UseBrowserOrDevice
	// UseBrowser: Conditional Access blocks the device code flow.
	UseBrowser
	// CompliantDevice: Conditional Access blocked the sign-in itself.
	CompliantDevice
	// AccountDisabled: only an administrator can help.
	AccountDisabled
	// UnknownApp: the client id is not known in the tenant.
	UnknownApp
	// UnknownTenant: the tenant does not exist.
	UnknownTenant
	// WrongTenant: the account is not a member of the tenant asked for.
	WrongTenant
	// BadScope: the scopes are malformed or name several resources.
	BadScope
	// Consent: the user must consent, interactively.
	Consent
	// ClaimsChallenge: sign in again carrying Remedy.Claims.
	ClaimsChallenge
	// SignInAgain: the refresh token is refused or there is none.
	SignInAgain
	// CodeExpired: the device code was not used in time.
	CodeExpired
	// Declined: the user declined or cancelled.
	Declined
	// BrowserTimeout: the browser never came back.
	BrowserTimeout
	// Network: the identity provider could not be reached.
	Network
	// TooSlow: a deadline passed.
	TooSlow
	// ServerProblem: the identity provider failed (5xx).
	ServerProblem
	// Cancelled: the user cancelled.
	Cancelled
)

// Remedy is what to do about an error.
type Remedy struct {
	Kind Kind
	// Wait is how long to wait, for Kind Wait.
	Wait time.Duration
	// Claims is the claims challenge to carry into the next sign-in.
	Claims string
}

// default429Wait is what the engine assumes when a 429 names no wait.
const default429Wait = time.Minute

// For classifies err, which came from flow.
func For(err error, flow Flow) Remedy {
	var ie *engine.Error
	var throttled *engine.ThrottledError
	var network *engine.NetworkError
	switch {
	case err == nil:
		return Remedy{}
	case errors.As(err, &throttled):
		return Remedy{Kind: Wait, Wait: throttled.RetryAfter}
	case errors.As(err, &ie):
		return forAADSTS(ie, flow)
	case errors.Is(err, engine.ErrNoToken), errors.Is(err, engine.ErrNoAccount):
		return Remedy{Kind: SignInAgain}
	case errors.Is(err, engine.ErrDeviceCodeExpired):
		return Remedy{Kind: CodeExpired}
	case errors.Is(err, engine.ErrDeclined):
		return Remedy{Kind: Declined}
	case errors.Is(err, engine.ErrTimeout):
		return Remedy{Kind: BrowserTimeout}
	case errors.As(err, &network):
		return Remedy{Kind: Network}
	case errors.Is(err, context.DeadlineExceeded):
		return Remedy{Kind: TooSlow}
	case errors.Is(err, context.Canceled):
		return Remedy{Kind: Cancelled}
	}
	return Remedy{}
}

var (
	mfaCodes               = []int{50076, 50079, 50074, 50158}
	conditionalAccessCodes = []int{530003, 53003, 530002, 53000, 53001}
)

func forAADSTS(e *engine.Error, flow Flow) Remedy {
	switch {
	case e.HTTPStatus == 429 || e.RetryAfter > 0:
		wait := e.RetryAfter
		if wait <= 0 {
			wait = default429Wait
		}
		return Remedy{Kind: Wait, Wait: wait}
	case flow == FlowPassword && e.HasCode(50126):
		return Remedy{Kind: CheckPassword}
	case flow == FlowPassword && (hasAny(e, mfaCodes) || engine.IsInteractionRequired(e)):
		return Remedy{Kind: UseBrowserOrDevice, Claims: e.Claims}
	case hasAny(e, conditionalAccessCodes) && flow == FlowDevice:
		return Remedy{Kind: UseBrowser}
	case hasAny(e, conditionalAccessCodes):
		return Remedy{Kind: CompliantDevice}
	case e.HasCode(50057):
		return Remedy{Kind: AccountDisabled}
	case e.HasCode(700016):
		return Remedy{Kind: UnknownApp}
	case e.HasCode(90002):
		return Remedy{Kind: UnknownTenant}
	case e.HasCode(50020):
		return Remedy{Kind: WrongTenant}
	case e.HasCode(70011), e.HasCode(28000), e.HasCode(1002012):
		return Remedy{Kind: BadScope}
	case e.HasCode(65001) || e.SubError == "consent_required":
		return Remedy{Kind: Consent}
	case errors.Is(e, engine.ErrDeviceCodeExpired):
		return Remedy{Kind: CodeExpired}
	case errors.Is(e, engine.ErrDeclined):
		return Remedy{Kind: Declined}
	case e.Claims != "":
		return Remedy{Kind: ClaimsChallenge, Claims: e.Claims}
	case e.Code == "invalid_grant" || engine.IsInteractionRequired(e):
		return Remedy{Kind: SignInAgain}
	case e.HTTPStatus >= 500:
		return Remedy{Kind: ServerProblem}
	}
	return Remedy{}
}

func hasAny(e *engine.Error, codes []int) bool {
	for _, c := range codes {
		if e.HasCode(c) {
			return true
		}
	}
	return false
}
