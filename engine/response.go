package engine

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// tokenResponse is a token endpoint answer, success or error. Token fields
// are Secrets so the struct cannot print them.
type tokenResponse struct {
	TokenType    string
	Scope        string
	ExpiresIn    flexSeconds
	ExtExpiresIn flexSeconds
	RefreshIn    flexSeconds
	// ExpiresOn is an absolute expiry in epoch seconds (some v1-style
	// endpoints send it instead of expires_in); 0 when absent.
	ExpiresOn    int64
	AccessToken  Secret
	RefreshToken Secret
	IDToken      Secret
	ClientInfo   string
	Foci         string

	errorFields
}

// UnmarshalJSON reads each member on its own (see lenient.go): only a body
// that is not a JSON object is an error.
func (tr *tokenResponse) UnmarshalJSON(data []byte) error {
	members, ok := jsonMembers(data)
	if !ok {
		return errors.New("not a JSON object")
	}
	str := func(name string) string { return lenientString(members[name]) }
	*tr = tokenResponse{
		TokenType: str("token_type"), Scope: str("scope"),
		AccessToken: Secret(str("access_token")), RefreshToken: Secret(str("refresh_token")),
		IDToken: Secret(str("id_token")), ClientInfo: str("client_info"), Foci: str("foci"),
		ExpiresIn:    flexSeconds(boundedSeconds(str("expires_in"))),
		ExtExpiresIn: flexSeconds(boundedSeconds(str("ext_expires_in"))),
		RefreshIn:    flexSeconds(boundedSeconds(str("refresh_in"))),
		ExpiresOn:    epochSeconds(str("expires_on")),
	}
	tr.errorFields.fill(members)
	return nil
}

// epochSeconds reads an absolute time in epoch seconds; unreadable or
// non-positive values are 0 and huge ones are held at 2^62, so that
// lifetimes bounds the rest with the same rule as expires_in.
func epochSeconds(text string) int64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(text), 64)
	switch {
	case err != nil && !isRangeError(err), math.IsNaN(f), f <= 0:
		return 0
	case f >= 1<<62:
		return 1 << 62
	}
	return int64(f)
}

// errorFields are Entra's error members.
type errorFields struct {
	Error               string
	ErrorDescription    string
	SubError            string
	ErrorCodes          []int
	Claims              string
	CorrelationID       string
	TraceID             string
	Timestamp           string
	ErrorAdditionalInfo []string
}

// UnmarshalJSON reads the error members leniently.
func (f *errorFields) UnmarshalJSON(data []byte) error {
	members, ok := jsonMembers(data)
	if !ok {
		return errors.New("not a JSON object")
	}
	f.fill(members)
	return nil
}

func (f *errorFields) fill(members map[string]json.RawMessage) {
	str := func(name string) string { return lenientString(members[name]) }
	*f = errorFields{
		Error: str("error"), ErrorDescription: str("error_description"), SubError: str("suberror"),
		ErrorCodes: lenientInts(members["error_codes"]), Claims: str("claims"),
		CorrelationID: str("correlation_id"), TraceID: str("trace_id"), Timestamp: str("timestamp"),
		ErrorAdditionalInfo: lenientStrings(members["error_additional_info"]),
	}
}

func (f errorFields) toError(status int, retryAfter time.Duration) *Error {
	return &Error{
		Code: f.Error, Description: f.ErrorDescription, SubError: f.SubError, ErrorCodes: f.ErrorCodes,
		Claims: f.Claims, CorrelationID: f.CorrelationID, TraceID: f.TraceID, Timestamp: f.Timestamp,
		AdditionalInfo: f.ErrorAdditionalInfo, HTTPStatus: status, RetryAfter: retryAfter,
	}
}

// parseErrorBody reads an Entra error answer; nil when the body is not one.
func parseErrorBody(resp *response) *Error {
	var f errorFields
	if json.Unmarshal(resp.body, &f) != nil || f.Error == "" {
		return nil
	}
	return f.toError(resp.status, resp.retryAfter)
}

// clientInfo is the decoded client_info: the home account's uid and utid.
type clientInfo struct {
	UID  string
	UTID string
}

func decodeClientInfo(raw string) (clientInfo, bool) {
	if raw == "" {
		return clientInfo{}, false
	}
	data, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(raw, "="))
	if err != nil {
		return clientInfo{}, false
	}
	members, ok := jsonMembers(data)
	if !ok {
		return clientInfo{}, false
	}
	info := clientInfo{UID: lenientString(members["uid"]), UTID: lenientString(members["utid"])}
	if info.UID == "" {
		return clientInfo{}, false
	}
	return info, true
}

// homeAccountID is uid.utid, as every MSAL computes it; MSAL Go's fallback
// for a missing utid is kept.
func (ci clientInfo) homeAccountID() string {
	if ci.UTID == "" {
		return ci.UID + "." + ci.UID
	}
	return ci.UID + "." + ci.UTID
}
