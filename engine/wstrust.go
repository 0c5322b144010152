package engine

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"acctui/internal/safetext"
)

// SAML token types a WS-Trust response may name, and the OAuth grant that
// redeems each at Entra's token endpoint (MSAL's names; RFC 7522 for 2.0).
const (
	grantSAML11 = "urn:ietf:params:oauth:grant-type:saml1_1-bearer"
	grantSAML2  = "urn:ietf:params:oauth:grant-type:saml2-bearer"
)

var samlGrantByTokenType = map[string]string{
	"urn:oasis:names:tc:SAML:1.0:assertion":                                    grantSAML11,
	"http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV1.1": grantSAML11,
	"urn:oasis:names:tc:SAML:2.0:assertion":                                    grantSAML2,
	"http://docs.oasis-open.org/wss/oasis-wss-saml-token-profile-1.1#SAMLV2.0": grantSAML2,
}

// FederationError is a failure at a federated identity provider (such as
// AD FS) during a username/password sign-in: its metadata could not be
// used, or it refused the credentials. Code is the SOAP fault subcode when
// there was one (a:FailedAuthentication for a wrong password).
type FederationError struct {
	Host   string
	Code   string
	Reason string
	Status int
}

func (e *FederationError) Error() string {
	msg := "engine: federated sign-in at " + e.Host + ": "
	if e.IsFailedAuthentication() {
		msg += "the username or password was refused: "
	}
	if e.Reason != "" {
		msg += e.Reason
	} else {
		msg += fmt.Sprintf("HTTP %d", e.Status)
	}
	if e.Code != "" {
		msg += " (" + e.Code + ")"
	}
	return msg
}

// IsFailedAuthentication reports whether the provider refused the
// username or password.
func (e *FederationError) IsFailedAuthentication() bool {
	return strings.HasSuffix(e.Code, ":FailedAuthentication") || e.Code == "FailedAuthentication"
}

// samlAssertion is what the federated provider issued: the assertion's XML
// exactly as sent (its signature covers those bytes) and its token type.
type samlAssertion struct {
	raw       []byte
	tokenType string
}

// rstEnvelope is a WS-Trust RequestSecurityToken with a username token,
// in SOAP 1.2. encoding/xml writes it, so the username and password are
// escaped whatever they contain.
type rstEnvelope struct {
	XMLName xml.Name  `xml:"s:Envelope"`
	S       string    `xml:"xmlns:s,attr"`
	WSA     string    `xml:"xmlns:wsa,attr"`
	WSU     string    `xml:"xmlns:wsu,attr"`
	Header  rstHeader `xml:"s:Header"`
	Body    rstBody   `xml:"s:Body"`
}

type rstHeader struct {
	Action    mustUnderstand `xml:"wsa:Action"`
	MessageID string         `xml:"wsa:MessageID"`
	ReplyTo   string         `xml:"wsa:ReplyTo>wsa:Address"`
	To        mustUnderstand `xml:"wsa:To"`
	Security  rstSecurity    `xml:"wsse:Security"`
}

type mustUnderstand struct {
	MustUnderstand string `xml:"s:mustUnderstand,attr"`
	Value          string `xml:",chardata"`
}

type rstSecurity struct {
	MustUnderstand string `xml:"s:mustUnderstand,attr"`
	WSSE           string `xml:"xmlns:wsse,attr"`
	Timestamp      struct {
		ID      string `xml:"wsu:Id,attr"`
		Created string `xml:"wsu:Created"`
		Expires string `xml:"wsu:Expires"`
	} `xml:"wsu:Timestamp"`
	UsernameToken struct {
		ID       string `xml:"wsu:Id,attr"`
		Username string `xml:"wsse:Username"`
		Password string `xml:"wsse:Password"`
	} `xml:"wsse:UsernameToken"`
}

type rstBody struct {
	RST struct {
		WST       string `xml:"xmlns:wst,attr"`
		AppliesTo struct {
			WSP     string `xml:"xmlns:wsp,attr"`
			Address string `xml:"wsa:EndpointReference>wsa:Address"`
		} `xml:"wsp:AppliesTo"`
		KeyType     string `xml:"wst:KeyType"`
		RequestType string `xml:"wst:RequestType"`
	} `xml:"wst:RequestSecurityToken"`
}

// buildRST writes the request for one WS-Trust version.
func buildRST(endpoint wsTrustEndpoint, username, password, audience string, now time.Time) ([]byte, error) {
	var env rstEnvelope
	env.S, env.WSA, env.WSU = "http://www.w3.org/2003/05/soap-envelope", nsAddressing, nsWSU
	h := &env.Header
	h.Action = mustUnderstand{"1", endpoint.Action}
	h.MessageID = "urn:uuid:" + newCorrelationID()
	h.ReplyTo = "http://www.w3.org/2005/08/addressing/anonymous"
	h.To = mustUnderstand{"1", endpoint.Address}
	h.Security.MustUnderstand = "1"
	h.Security.WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	h.Security.Timestamp.ID = "_0"
	h.Security.Timestamp.Created = now.UTC().Format("2006-01-02T15:04:05Z")
	h.Security.Timestamp.Expires = now.UTC().Add(10 * time.Minute).Format("2006-01-02T15:04:05Z")
	h.Security.UsernameToken.ID = "uuid-" + newCorrelationID()
	h.Security.UsernameToken.Username = username
	h.Security.UsernameToken.Password = password
	rst := &env.Body.RST
	rst.AppliesTo.WSP = nsPolicy
	rst.AppliesTo.Address = audience
	switch endpoint.Action {
	case wsTrust13Action:
		rst.WST = "http://docs.oasis-open.org/ws-sx/ws-trust/200512"
		rst.KeyType = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer"
		rst.RequestType = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue"
	case wsTrust2005Action:
		rst.WST = "http://schemas.xmlsoap.org/ws/2005/02/trust"
		rst.KeyType = "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey"
		rst.RequestType = "http://schemas.xmlsoap.org/ws/2005/02/trust/Issue"
	default:
		return nil, fmt.Errorf("engine: unsupported WS-Trust action %q", endpoint.Action)
	}
	return xml.Marshal(env)
}

// requestSAMLAssertion sends the username and password to the federated
// provider's WS-Trust endpoint and returns the assertion it issues. The
// request goes once: it carries a password, and a provider that saw it may
// count a failed attempt.
func (c *Client) requestSAMLAssertion(ctx context.Context, endpoint wsTrustEndpoint, username string, password Secret, audience string) (samlAssertion, error) {
	body, err := buildRST(endpoint, username, password.Reveal(), audience, c.now())
	if err != nil {
		return samlAssertion{}, err
	}
	resp, err := c.sendXML(ctx, http.MethodPost, endpoint.Address, body, endpoint.Action)
	if err != nil {
		return samlAssertion{}, err
	}
	host := hostOf(endpoint.Address)
	// AD FS answers refusals, even a wrong password, with HTTP 500 and a
	// SOAP fault, so the body decides, not the status.
	assertion, fault, err := parseRSTR(resp.body)
	switch {
	case fault != nil:
		fault.Host, fault.Status = host, resp.status
		return samlAssertion{}, fault
	case err != nil:
		return samlAssertion{}, &FederationError{Host: host, Status: resp.status, Reason: "the WS-Trust answer is not usable: " + err.Error()}
	}
	return assertion, nil
}

// parseRSTR reads a WS-Trust response: the first RequestSecurityTokenResponse
// that has both a token type and a token, with the token's XML kept byte
// for byte, or the SOAP fault.
func parseRSTR(body []byte) (samlAssertion, *FederationError, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	var (
		path       []string
		out        samlAssertion
		tokenStart int64 = -1
		tokenDepth int
		fault      *FederationError
		text       strings.Builder
	)
	for {
		offset := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return samlAssertion{}, nil, fmt.Errorf("not XML: %w", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			path = append(path, el.Name.Local)
			text.Reset()
			if el.Name.Local == "RequestedSecurityToken" && out.raw == nil && tokenStart < 0 {
				tokenStart, tokenDepth = d.InputOffset(), len(path)
			}
		case xml.CharData:
			text.Write(el)
		case xml.EndElement:
			switch {
			case el.Name.Local == "RequestedSecurityToken" && tokenStart >= 0 && len(path) == tokenDepth:
				out.raw = bytes.TrimSpace(append([]byte(nil), body[tokenStart:offset]...))
				tokenStart = -1
			case el.Name.Local == "TokenType" && out.tokenType == "" && inside(path, "RequestSecurityTokenResponse"):
				out.tokenType = strings.TrimSpace(text.String())
			case el.Name.Local == "Value" && inside(path, "Subcode") && inside(path, "Fault"):
				fault = orNew(fault)
				fault.Code = strings.TrimSpace(text.String())
			case el.Name.Local == "Text" && inside(path, "Reason") && inside(path, "Fault"):
				fault = orNew(fault)
				fault.Reason = oneLine(text.String())
			}
			path = path[:len(path)-1]
		}
	}
	if len(out.raw) > 0 && out.tokenType != "" {
		return out, nil, nil
	}
	if fault != nil {
		return samlAssertion{}, fault, nil
	}
	return samlAssertion{}, nil, fmt.Errorf("no RequestSecurityTokenResponse with a token and its type")
}

func inside(path []string, local string) bool {
	for _, p := range path {
		if p == local {
			return true
		}
	}
	return false
}

func orNew(f *FederationError) *FederationError {
	if f == nil {
		return &FederationError{}
	}
	return f
}

// oneLine collapses whitespace and bounds the length of text from a
// federated provider, which ends up in a one-line error.
func oneLine(s string) string {
	s = safetext.Compact(s)
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300]) + "…"
	}
	return s
}

func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return "the federated identity provider"
}

// sendXML makes one SOAP or metadata call to a federated provider, with a
// deadline and a size bound. It is not retried.
func (c *Client) sendXML(ctx context.Context, method, target string, body []byte, soapAction string) (*response, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return nil, fmt.Errorf("engine: federated sign-in: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/soap+xml; charset=utf-8")
		req.Header.Set("SOAPAction", soapAction)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, &NetworkError{URL: redactURL(target), Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, &NetworkError{URL: redactURL(target), Err: err}
	}
	if len(data) > maxResponseBytes {
		return nil, fmt.Errorf("engine: %s answered more than %d bytes; refusing to read it", redactURL(target), maxResponseBytes)
	}
	c.log.Debug("engine: http", "method", method, "url", redactURL(target), "status", resp.StatusCode)
	return &response{status: resp.StatusCode, header: resp.Header, body: data}, nil
}
