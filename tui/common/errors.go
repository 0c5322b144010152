package common

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"acctui/engine"
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
	message = oneLine(err.Error())
	var ie *engine.Error
	var throttled *engine.ThrottledError
	var network *engine.NetworkError
	switch {
	case errors.As(err, &throttled):
		next = fmt.Sprintf("the identity provider asked clients to wait: retry in %s", throttled.RetryAfter.Round(time.Second))
	case errors.As(err, &ie):
		next = nextForAADSTS(ie, method)
	case errors.Is(err, engine.ErrNoToken):
		next = "nothing to refresh with: sign in again"
	case errors.Is(err, engine.ErrDeviceCodeExpired):
		next = "the code was not used in time: start the device code sign-in again"
	case errors.Is(err, engine.ErrDeclined):
		next = "the sign-in was declined: start it again if that was a mistake"
	case errors.Is(err, engine.ErrTimeout):
		next = "no answer from the browser in time: try again, or use device code"
	case errors.Is(err, engine.ErrNoAccount):
		next = "the account is gone from the cache: sign in again"
	case errors.As(err, &network):
		next = "check the network and the authority URL, then try again"
	case errors.Is(err, context.DeadlineExceeded):
		next = "it took too long: check the network and try again"
	case errors.Is(err, context.Canceled):
		next = "cancelled"
	case method == MethodUnlock:
		next = "check the passphrase and try again"
	}
	return message, next
}

func nextForAADSTS(e *engine.Error, method Method) string {
	mfa := e.HasCode(50076) || e.HasCode(50079) || e.HasCode(50074) || e.HasCode(50158)
	conditionalAccess := e.HasCode(530003) || e.HasCode(53003) || e.HasCode(530002) || e.HasCode(53000) || e.HasCode(53001)
	switch {
	case method == MethodPassword && (mfa || engine.IsInteractionRequired(e)):
		return "this account needs multi-factor authentication or consent, which username/password sign-in cannot do: use browser or device code"
	case method == MethodPassword && e.HasCode(50126):
		return "check the username and password"
	case conditionalAccess && method == MethodDevice:
		return "a Conditional Access policy blocks device code sign-in for this account: use the browser"
	case conditionalAccess:
		return "a Conditional Access policy blocked this sign-in: use the browser on a compliant device, or ask your administrator"
	case e.HasCode(50057):
		return "the account is disabled: contact the tenant's administrator"
	case e.HasCode(700016):
		return "the application is not known in this tenant: check the client id and tenant"
	case e.HasCode(90002):
		return "check the tenant name or id"
	case e.HasCode(65001) || e.SubError == "consent_required":
		return "consent is needed: sign in with the browser"
	case errors.Is(e, engine.ErrDeviceCodeExpired):
		return "the code was not used in time: start the device code sign-in again"
	case errors.Is(e, engine.ErrDeclined):
		return "the sign-in was declined: start it again if that was a mistake"
	case e.Code == "invalid_grant" || engine.IsInteractionRequired(e):
		return "sign in again (browser or device code)"
	case e.HTTPStatus >= 500:
		return "the identity provider had a problem: retry later"
	}
	return ""
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
