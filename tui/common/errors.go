package common

import (
	"errors"
	"fmt"
	"time"

	"acctui/engine"
	"acctui/internal/errtext"
	"acctui/internal/safetext"
	"acctui/remedy"
)

// Method names the flow an error came from: the advice depends on it (an
// MFA refusal of a password sign-in means "use the browser", the same
// refusal of a refresh means "sign in again").
type Method string

// The flows errors come from.
const (
	MethodRefresh  Method = "refresh"
	MethodBrowser  Method = "browser"
	MethodDevice   Method = "device"
	MethodPassword Method = "password"
	MethodRemove   Method = "remove"
	MethodUnlock   Method = "unlock"
	// MethodApp and MethodIdentity add a service principal or a managed
	// identity.
	MethodApp      Method = "app"
	MethodIdentity Method = "identity"
)

// NeedsSignIn reports whether a silent call failed in a way only a new
// sign-in fixes: interaction_required (MFA, consent, a claims challenge),
// invalid_grant (a revoked or expired refresh token) or nothing to refresh
// with.
func NeedsSignIn(err error) bool {
	var throttled *engine.ThrottledError
	if err == nil || errors.As(err, &throttled) {
		// Waiting fixes a throttled call; and a ThrottledError without its
		// Last answer unwraps to a nil *engine.Error.
		return false
	}
	if engine.IsInteractionRequired(err) || errors.Is(err, engine.ErrNoToken) {
		return true
	}
	var ie *engine.Error
	return errors.As(err, &ie) && ie.Code == "invalid_grant"
}

// ClaimsChallenge returns the claims challenge an error carries, to pass to
// the next sign-in.
func ClaimsChallenge(err error) string {
	var ie *engine.Error
	if errors.As(err, &ie) {
		return ie.Claims
	}
	return ""
}

// Explain turns an error into the line a person reads and what to do next.
// The message never holds a token: engine errors carry none.
func Explain(err error, method Method) (message, next string) {
	if err == nil {
		return "", ""
	}
	message = safetext.Compact(errtext.Public(err.Error()))
	next = adviceFor(remedy.For(err, method.flow()))
	if next == "" && method == MethodUnlock {
		next = "check the passphrase and try again"
	}
	return message, next
}

// flow maps a screen's method to the flow remedy classifies by.
func (m Method) flow() remedy.Flow {
	switch m {
	case MethodRefresh:
		return remedy.FlowSilent
	case MethodBrowser:
		return remedy.FlowBrowser
	case MethodDevice:
		return remedy.FlowDevice
	case MethodPassword:
		return remedy.FlowPassword
	}
	return remedy.FlowOther
}

// adviceFor words a remedy for the UI: what to choose on the screen.
func adviceFor(r remedy.Remedy) string {
	switch r.Kind {
	case remedy.Wait:
		return fmt.Sprintf("the identity provider asked clients to wait: retry in %s", r.Wait.Round(time.Second))
	case remedy.CheckPassword:
		return "check the username and password"
	case remedy.UseBrowserOrDevice:
		return "this account needs multi-factor authentication or consent, which username/password sign-in cannot do: use browser or device code"
	case remedy.UseBrowser:
		return "a Conditional Access policy blocks device code sign-in for this account: use the browser"
	case remedy.CompliantDevice:
		return "a Conditional Access policy blocked this sign-in: use the browser on a compliant device, or ask your administrator"
	case remedy.AccountDisabled:
		return "the account is disabled: contact the tenant's administrator"
	case remedy.UnknownApp:
		return "the application is not known in this tenant: check the client id and tenant"
	case remedy.UnknownTenant:
		return "check the tenant name or id"
	case remedy.WrongTenant:
		return "the account is not a member of this tenant: use its own tenant"
	case remedy.BadScope:
		return "check the scopes: one resource per request"
	case remedy.Consent:
		return "consent is needed: sign in with the browser"
	case remedy.ClaimsChallenge, remedy.SignInAgain:
		return "sign in again (browser or device code)"
	case remedy.CodeExpired:
		return "the code was not used in time: start the device code sign-in again"
	case remedy.Declined:
		return "the sign-in was declined: start it again if that was a mistake"
	case remedy.BrowserTimeout:
		return "no answer from the browser in time: try again, or use device code"
	case remedy.Network:
		return "check the network and the authority URL, then try again"
	case remedy.TooSlow:
		return "it took too long: check the network and try again"
	case remedy.Cancelled:
		return "cancelled"
	case remedy.ServerProblem:
		return "the identity provider had a problem: retry later"
	}
	return ""
}
