package engine

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// tokenResponse is a token endpoint answer, success or error. Token fields
// are Secrets so the struct cannot print them.
type tokenResponse struct {
	TokenType    string      `json:"token_type"`
	Scope        string      `json:"scope"`
	ExpiresIn    flexSeconds `json:"expires_in"`
	ExtExpiresIn flexSeconds `json:"ext_expires_in"`
	RefreshIn    flexSeconds `json:"refresh_in"`
	ExpiresOn    flexSeconds `json:"expires_on"`
	AccessToken  Secret      `json:"access_token"`
	RefreshToken Secret      `json:"refresh_token"`
	IDToken      Secret      `json:"id_token"`
	ClientInfo   string      `json:"client_info"`
	Foci         string      `json:"foci"`

	errorFields
}

// errorFields are Entra's error members.
type errorFields struct {
	Error               string   `json:"error"`
	ErrorDescription    string   `json:"error_description"`
	SubError            string   `json:"suberror"`
	ErrorCodes          []int    `json:"error_codes"`
	Claims              string   `json:"claims"`
	CorrelationID       string   `json:"correlation_id"`
	TraceID             string   `json:"trace_id"`
	Timestamp           string   `json:"timestamp"`
	ErrorAdditionalInfo []string `json:"error_additional_info"`
}

func (f errorFields) toError(status int, retryAfter time.Duration) *Error {
	return &Error{
		Code: f.Error, Description: f.ErrorDescription, SubError: f.SubError, ErrorCodes: f.ErrorCodes,
		Claims: f.Claims, CorrelationID: f.CorrelationID, TraceID: f.TraceID, Timestamp: f.Timestamp,
		AdditionalInfo: f.ErrorAdditionalInfo, HTTPStatus: status, RetryAfter: retryAfter,
	}
}

// flexSeconds reads a number that servers send as a JSON number or a
// decimal string.
type flexSeconds int64

func (f *flexSeconds) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(data), `"`)
	if s == "" || s == "null" {
		*f = 0
		return nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("not a number of seconds")
	}
	*f = flexSeconds(n)
	return nil
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
	UID  string `json:"uid"`
	UTID string `json:"utid"`
}

func decodeClientInfo(raw string) (clientInfo, bool) {
	if raw == "" {
		return clientInfo{}, false
	}
	data, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(raw, "="))
	if err != nil {
		return clientInfo{}, false
	}
	var info clientInfo
	if json.Unmarshal(data, &info) != nil || info.UID == "" {
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
