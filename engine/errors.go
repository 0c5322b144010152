package engine

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors callers branch on; use errors.Is.
var (
	// ErrNoToken means the cache holds nothing that can answer the request
	// silently: no valid access token and no refresh token. Sign in again.
	ErrNoToken = errors.New("engine: no token in the cache for this account and scopes")
	// ErrStateMismatch means an authorization response's state differs from
	// the request's, or is missing: it may be forged, so it is refused.
	ErrStateMismatch = errors.New("engine: authorization response state does not match the request")
	// ErrNonceMismatch means the id_token's nonce differs from the request's.
	ErrNonceMismatch = errors.New("engine: id_token nonce does not match the request")
	// ErrDeviceCodeExpired means the user did not finish the device-code
	// sign-in in time.
	ErrDeviceCodeExpired = errors.New("engine: the device code expired before the user signed in")
	// ErrDeclined means the user declined or cancelled the sign-in.
	ErrDeclined = errors.New("engine: the user declined the sign-in")
	// ErrTimeout means an interactive sign-in got no answer in time.
	ErrTimeout = errors.New("engine: the interactive sign-in timed out")
	// ErrNoAccount means a method that needs an account got none.
	ErrNoAccount = errors.New("engine: an account is required")
)

// Error is a refusal from the identity provider, with the fields Entra
// returns. Its text holds the AADSTS code and description, never a token.
type Error struct {
	// Code is the OAuth error, such as invalid_grant or interaction_required.
	Code        string
	Description string
	SubError    string
	// ErrorCodes are the AADSTS numbers, such as 50076.
	ErrorCodes []int
	// Claims is a claims challenge to pass back on the next sign-in.
	Claims        string
	CorrelationID string
	TraceID       string
	Timestamp     string
	// AdditionalInfo is error_additional_info, such as client_mismatch.
	AdditionalInfo []string
	HTTPStatus     int
	// RetryAfter is the wait the server asked for (429, 5xx).
	RetryAfter time.Duration
	// GrantType is the grant of the refused token request (refresh_token,
	// password, …); empty for other requests.
	GrantType string
	// Provider is the generic OpenID Connect provider that refused, named
	// in the message; empty for Microsoft authorities, whose AADSTS text
	// says enough.
	Provider string
}

func (e *Error) Error() string {
	if e.Provider != "" {
		return oneLine(e.Provider) + " refused the request: " + e.message()
	}
	return e.message()
}

func (e *Error) message() string {
	desc := firstLine(e.Description)
	switch {
	case desc != "" && e.Code != "":
		return fmt.Sprintf("%s (%s)", desc, e.Code)
	case desc != "":
		return desc
	case e.Code != "":
		return e.Code
	default:
		return fmt.Sprintf("identity provider error (HTTP %d)", e.HTTPStatus)
	}
}

// Is lets errors.Is match the sentinels the OAuth codes stand for.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrDeviceCodeExpired:
		return e.Code == "expired_token" || e.Code == "code_expired"
	case ErrDeclined:
		return e.Code == "access_denied" || e.Code == "authorization_declined"
	}
	return false
}

// HasCode reports whether the error carries an AADSTS number.
func (e *Error) HasCode(code int) bool {
	for _, c := range e.ErrorCodes {
		if c == code {
			return true
		}
	}
	return false
}

// firstLine trims Entra's trailing "Trace ID: … Correlation ID: …"
// diagnostics off a description; they stay available as fields.
func firstLine(desc string) string {
	desc = strings.TrimSpace(strings.SplitN(desc, "\n", 2)[0])
	if i := strings.Index(desc, " Trace ID:"); i > 0 {
		desc = desc[:i]
	}
	return strings.TrimSpace(strings.TrimSuffix(desc, "\r"))
}

// interactionSubErrors are suberrors that still need the user, as opposed
// to those MSAL treats as a plain silent failure.
var interactionCodes = map[string]bool{
	"interaction_required": true,
	"login_required":       true,
	"consent_required":     true,
}

// IsInteractionRequired reports whether err means the user must sign in
// interactively: by its OAuth error, its suberror, or a claims challenge,
// never by parsing the description. Callers pass Claims to the next sign-in.
func IsInteractionRequired(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return errors.Is(err, ErrNoToken)
	}
	if interactionCodes[e.Code] || interactionCodes[e.SubError] {
		return true
	}
	if e.Claims != "" {
		return true
	}
	// A refresh token that the server refuses (revoked, expired, never
	// valid) can only be replaced by signing in; a refused password or code
	// is a plain failure.
	return e.Code == "invalid_grant" && e.GrantType == "refresh_token" && e.SubError != "client_mismatch"
}

// ThrottledError is returned without a network call while an earlier answer
// of the identity provider (429, or 5xx with Retry-After) asks clients to
// wait. RetryAfter is the time left.
type ThrottledError struct {
	RetryAfter time.Duration
	// Last is the answer that started the wait.
	Last *Error
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("engine: the identity provider asked to wait; retry in %s (last answer: %v)", e.RetryAfter.Round(time.Second), e.Last)
}

// Unwrap gives the answer that started the wait, if known.
func (e *ThrottledError) Unwrap() error {
	if e.Last == nil {
		return nil // a typed nil would make errors.As hand out a nil *Error
	}
	return e.Last
}
