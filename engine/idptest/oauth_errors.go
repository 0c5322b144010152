package idptest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// oauthError is an error answer in Entra's JSON shape.
type oauthError struct {
	status     int
	err        string // the OAuth error: invalid_grant, interaction_required, …
	code       int    // the AADSTS number
	message    string // the text after "AADSTSnnnnn: "
	suberror   string
	claims     string
	additional []string // error_additional_info, such as client_mismatch
}

func (e *oauthError) Error() string { return fmt.Sprintf("%s: AADSTS%d: %s", e.err, e.code, e.message) }

func newOAuthError(status int, err string, code int, message string) *oauthError {
	return &oauthError{status: status, err: err, code: code, message: message}
}

func errInvalidRequest(code int, message string) *oauthError {
	return newOAuthError(http.StatusBadRequest, "invalid_request", code, message)
}

func errInvalidGrant(code int, message string) *oauthError {
	return newOAuthError(http.StatusBadRequest, "invalid_grant", code, message)
}

func errInvalidScope(code int, message string) *oauthError {
	return newOAuthError(http.StatusBadRequest, "invalid_scope", code, message)
}

func errInvalidClient(code int, message string) *oauthError {
	return newOAuthError(http.StatusUnauthorized, "invalid_client", code, message)
}

func errUnknownClient(clientID, tenant string) *oauthError {
	return newOAuthError(http.StatusBadRequest, "unauthorized_client", 700016,
		fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, tenant))
}

func errUnknownTenant(tenant string) *oauthError {
	return newOAuthError(http.StatusBadRequest, "invalid_tenant", 90002,
		fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.", tenant))
}

func errBadPassword() *oauthError {
	return errInvalidGrant(50126, "Error validating credentials due to invalid username or password.")
}

func errUnknownUser(tenant string) *oauthError {
	return errInvalidGrant(50034, fmt.Sprintf("The user account {EUII Hidden} does not exist in the %s directory. To sign into this application, the account must be added to the directory.", tenant))
}

func errUserDisabled() *oauthError {
	return errInvalidGrant(50057, "The user account is disabled.")
}

func errConsentRequired(app *App) *oauthError {
	e := errInvalidGrant(65001, fmt.Sprintf("The user or administrator has not consented to use the application with ID '%s' named '%s'. Send an interactive authorization request for this user and resource.", app.ClientID, app.Name))
	e.suberror = "consent_required"
	return e
}

// errMFARequired is the refusal of a password grant for a user under MFA,
// in the shape Entra usually sends: suberror basic_action and no claims, so
// a client cannot answer it with a claims request, only by asking the user
// to sign in interactively.
func errMFARequired(resource string) *oauthError {
	return &oauthError{status: http.StatusBadRequest, err: "interaction_required", code: 50076, suberror: "basic_action",
		message: fmt.Sprintf("Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '%s'.", resource)}
}

func errClaimsChallenge(claims string) *oauthError {
	e := newOAuthError(http.StatusBadRequest, "interaction_required", 50076,
		"Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.")
	e.claims = claims
	e.suberror = "basic_action"
	return e
}

// write sends the error with the diagnostic fields Entra adds.
func (e *oauthError) write(w http.ResponseWriter, r *http.Request, now time.Time) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(e.body(r, now))
}

func (e *oauthError) body(r *http.Request, now time.Time) map[string]any {
	traceID := randomGUID()
	correlationID := r.Header.Get("client-request-id")
	if correlationID == "" {
		correlationID = randomGUID()
	}
	stamp := now.UTC().Format("2006-01-02 15:04:05Z")
	body := map[string]any{
		"error": e.err,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			e.code, e.message, traceID, correlationID, stamp),
		"error_codes":    []int{e.code},
		"timestamp":      stamp,
		"trace_id":       traceID,
		"correlation_id": correlationID,
		"error_uri":      fmt.Sprintf("https://login.microsoftonline.com/error?code=%d", e.code),
	}
	if e.suberror != "" {
		body["suberror"] = e.suberror
	}
	if e.claims != "" {
		body["claims"] = e.claims
	}
	if len(e.additional) > 0 {
		body["error_additional_info"] = e.additional
	}
	return body
}
