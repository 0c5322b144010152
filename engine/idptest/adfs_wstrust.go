package idptest

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// WS-Trust versions, told apart by their SOAP action and namespace.
const (
	wsTrust13Action   = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"
	wsTrust2005Action = "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue"
	wsTrust13NS       = "http://docs.oasis-open.org/ws-sx/ws-trust/200512"
	wsTrust2005NS     = "http://schemas.xmlsoap.org/ws/2005/02/trust"
	soap12NS          = "http://www.w3.org/2003/05/soap-envelope"
	wsseNS            = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	wsuNS             = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"

	// cloudAudienceURN is the relying party Entra registers at AD FS; user
	// realm discovery hands it to clients as cloud_audience_urn.
	cloudAudienceURN = "urn:federation:MicrosoftOnline"

	samlTokenType11 = "urn:oasis:names:tc:SAML:1.0:assertion"
	samlTokenType20 = "urn:oasis:names:tc:SAML:2.0:assertion"

	assertionLifetime = time.Hour
	timestampSkew     = 5 * time.Minute
)

// rstEnvelope is the part of a WS-Trust RequestSecurityToken AD FS reads.
// Namespaces are checked after parsing, since 1.3 and 2005 differ only
// there.
type rstEnvelope struct {
	XMLName xml.Name `xml:"http://www.w3.org/2003/05/soap-envelope Envelope"`
	Header  struct {
		Action   string `xml:"http://www.w3.org/2005/08/addressing Action"`
		Security struct {
			Timestamp struct {
				Created string `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd Created"`
				Expires string `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd Expires"`
			} `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd Timestamp"`
			Username string `xml:"UsernameToken>Username"`
			Password string `xml:"UsernameToken>Password"`
		} `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Security"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Header"`
	Body struct {
		RST struct {
			XMLName     xml.Name
			AppliesTo   string `xml:"AppliesTo>EndpointReference>Address"`
			KeyType     string `xml:"KeyType"`
			RequestType string `xml:"RequestType"`
		} `xml:"RequestSecurityToken"`
	} `xml:"http://www.w3.org/2003/05/soap-envelope Body"`
}

// wsTrustVersion is what differs between the 1.3 and 2005 endpoints.
type wsTrustVersion struct {
	action, ns, keyType, requestType, responseAction string
}

var (
	wsTrust13 = wsTrustVersion{
		action: wsTrust13Action, ns: wsTrust13NS,
		keyType:        "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer",
		requestType:    "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Issue",
		responseAction: "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RSTRC/IssueFinal",
	}
	wsTrust2005 = wsTrustVersion{
		action: wsTrust2005Action, ns: wsTrust2005NS,
		keyType:        "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey",
		requestType:    "http://schemas.xmlsoap.org/ws/2005/02/trust/Issue",
		responseAction: "http://schemas.xmlsoap.org/ws/2005/02/trust/RSTR/Issue",
	}
)

// issuedAssertion is a SAML assertion AD FS handed out, kept so that
// Entra's token endpoint can check a redeemed one byte for byte: the
// emulator's stand-in for verifying AD FS's XML signature, and as strict
// (a client that re-serialises the XML breaks a real signature too).
type issuedAssertion struct {
	raw       string
	user      *User
	tenant    *Tenant
	saml2     bool
	notBefore time.Time
	notAfter  time.Time
}

// handleWSTrust serves POST /sts/{domain}/adfs/services/trust/{13|2005}/usernamemixed.
func (s *Server) handleWSTrust(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fed, tenant := s.dir.federatedDomainByName(r.PathValue("domain"))
	var v wsTrustVersion
	switch r.PathValue("version") {
	case "13":
		v = wsTrust13
	case "2005":
		v = wsTrust2005
	}
	if fed == nil || v.action == "" || (fed.Only2005 && v.action == wsTrust13Action) {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxFormBytes))
	if err != nil {
		writeSOAPFault(w, "s:Sender", "a:InvalidRequest", "MSIS7065: There are no registered protocol handlers on path /adfs/services/trust to process the incoming request.")
		return
	}
	var env rstEnvelope
	if err := xml.Unmarshal(body, &env); err != nil {
		writeSOAPFault(w, "s:Sender", "a:InvalidSecurity", "ID3137: The request could not be parsed as a SOAP 1.2 envelope.")
		return
	}
	if fault := checkRST(env, v, s.nowLocked()); fault != "" {
		writeSOAPFault(w, "s:Sender", "a:InvalidRequest", fault)
		return
	}
	sec := env.Header.Security
	user, userTenant := s.dir.user(sec.Username)
	if user == nil || userTenant != tenant || !strings.HasSuffix(strings.ToLower(user.Username), "@"+strings.ToLower(fed.Domain)) ||
		subtle.ConstantTimeCompare([]byte(sec.Password), []byte(user.Password)) != 1 || user.Disabled {
		writeSOAPFault(w, "s:Sender", "a:FailedAuthentication", "ID3242: The security token could not be authenticated or authorized.")
		return
	}
	now := s.nowLocked()
	a := &issuedAssertion{user: user, tenant: tenant, saml2: fed.SAML2, notBefore: now, notAfter: now.Add(assertionLifetime)}
	id := "_" + randomGUID()
	a.raw = samlAssertion(id, s.adfsIssuer(fed), a, now)
	s.state.assertions[id] = a
	s.state.issued = append(s.state.issued, base64.RawURLEncoding.EncodeToString([]byte(a.raw)))
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, rstr(v, a, now))
}

// adfsIssuer is the issuer AD FS writes into its assertions.
func (s *Server) adfsIssuer(fed *FederatedDomain) string {
	return "http://sts." + strings.ToLower(fed.Domain) + "/adfs/services/trust"
}

// checkRST refuses requests AD FS refuses: the wrong action or namespace
// for the endpoint, another relying party, a stale timestamp.
func checkRST(env rstEnvelope, v wsTrustVersion, now time.Time) string {
	if strings.TrimSpace(env.Header.Action) != v.action {
		return fmt.Sprintf("ID3035: The request was not valid or is malformed: the action %q is not %q.", strings.TrimSpace(env.Header.Action), v.action)
	}
	rst := env.Body.RST
	if rst.XMLName.Space != v.ns {
		return "ID3035: The RequestSecurityToken is not in the WS-Trust namespace of this endpoint."
	}
	if strings.TrimSpace(rst.AppliesTo) != cloudAudienceURN {
		return fmt.Sprintf("MSIS7007: The requested relying party trust '%s' is unspecified or unsupported.", strings.TrimSpace(rst.AppliesTo))
	}
	if strings.TrimSpace(rst.KeyType) != v.keyType || strings.TrimSpace(rst.RequestType) != v.requestType {
		return "ID3035: The KeyType or RequestType does not match the WS-Trust version of this endpoint."
	}
	ts := env.Header.Security.Timestamp
	created, err1 := time.Parse(time.RFC3339, strings.TrimSpace(ts.Created))
	expires, err2 := time.Parse(time.RFC3339, strings.TrimSpace(ts.Expires))
	if err1 != nil || err2 != nil {
		return "ID3224: The security header has no valid Timestamp."
	}
	if created.After(now.Add(timestampSkew)) || expires.Before(now.Add(-timestampSkew)) {
		return "ID4148: The security header's Timestamp is outside the allowed time range."
	}
	if env.Header.Security.Username == "" {
		return "ID3242: The security token could not be authenticated or authorized."
	}
	return ""
}

func xmlText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func samlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// immutableID is the on-premises anchor AD FS sends as NameIdentifier: the
// base64 of the user's objectGUID, derived here from the object id.
func immutableID(u *User) string {
	sum := sha256.Sum256([]byte("immutable:" + u.ObjectID))
	return base64.StdEncoding.EncodeToString(sum[:16])
}

// samlAssertion writes AD FS's assertion for a user, SAML 1.1 or 2.0.
func samlAssertion(id, issuer string, a *issuedAssertion, now time.Time) string {
	upn, immutable := xmlText(a.user.Username), immutableID(a.user)
	if a.saml2 {
		return fmt.Sprintf(`<Assertion ID="%s" IssueInstant="%s" Version="2.0" xmlns="urn:oasis:names:tc:SAML:2.0:assertion"><Issuer>%s</Issuer><Subject><NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">%s</NameID><SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"/></Subject><Conditions NotBefore="%s" NotOnOrAfter="%s"><AudienceRestriction><Audience>%s</Audience></AudienceRestriction></Conditions><AttributeStatement><Attribute Name="http://schemas.xmlsoap.org/claims/UPN"><AttributeValue>%s</AttributeValue></Attribute><Attribute Name="http://schemas.microsoft.com/LiveID/Federation/2008/05/ImmutableID"><AttributeValue>%s</AttributeValue></Attribute></AttributeStatement><AuthnStatement AuthnInstant="%s"><AuthnContext><AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</AuthnContextClassRef></AuthnContext></AuthnStatement></Assertion>`,
			id, samlTime(now), xmlText(issuer), immutable, samlTime(a.notBefore), samlTime(a.notAfter), cloudAudienceURN, upn, immutable, samlTime(now))
	}
	return fmt.Sprintf(`<saml:Assertion MajorVersion="1" MinorVersion="1" AssertionID="%s" Issuer="%s" IssueInstant="%s" xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion"><saml:Conditions NotBefore="%s" NotOnOrAfter="%s"><saml:AudienceRestrictionCondition><saml:Audience>%s</saml:Audience></saml:AudienceRestrictionCondition></saml:Conditions><saml:AttributeStatement><saml:Subject><saml:NameIdentifier Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">%s</saml:NameIdentifier><saml:SubjectConfirmation><saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:bearer</saml:ConfirmationMethod></saml:SubjectConfirmation></saml:Subject><saml:Attribute AttributeName="UPN" AttributeNamespace="http://schemas.xmlsoap.org/claims"><saml:AttributeValue>%s</saml:AttributeValue></saml:Attribute><saml:Attribute AttributeName="ImmutableID" AttributeNamespace="http://schemas.microsoft.com/LiveID/Federation/2008/05"><saml:AttributeValue>%s</saml:AttributeValue></saml:Attribute></saml:AttributeStatement><saml:AuthenticationStatement AuthenticationMethod="urn:oasis:names:tc:SAML:1.0:am:password" AuthenticationInstant="%s"><saml:Subject><saml:NameIdentifier Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">%s</saml:NameIdentifier><saml:SubjectConfirmation><saml:ConfirmationMethod>urn:oasis:names:tc:SAML:1.0:cm:bearer</saml:ConfirmationMethod></saml:SubjectConfirmation></saml:Subject></saml:AuthenticationStatement></saml:Assertion>`,
		id, xmlText(issuer), samlTime(now), samlTime(a.notBefore), samlTime(a.notAfter), cloudAudienceURN, immutable, upn, immutable, samlTime(now), immutable)
}

// rstr is AD FS's answer: the assertion inside a RequestSecurityTokenResponse
// (wrapped in a collection for WS-Trust 1.3), with its token type.
func rstr(v wsTrustVersion, a *issuedAssertion, now time.Time) string {
	tokenType := samlTokenType11
	if a.saml2 {
		tokenType = samlTokenType20
	}
	inner := fmt.Sprintf(`<t:Lifetime><wsu:Created xmlns:wsu="%[1]s">%[2]s</wsu:Created><wsu:Expires xmlns:wsu="%[1]s">%[3]s</wsu:Expires></t:Lifetime><wsp:AppliesTo xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy"><wsa:EndpointReference xmlns:wsa="http://www.w3.org/2005/08/addressing"><wsa:Address>%[4]s</wsa:Address></wsa:EndpointReference></wsp:AppliesTo><t:RequestedSecurityToken>%[5]s</t:RequestedSecurityToken><t:TokenType>%[6]s</t:TokenType><t:RequestType>%[7]s</t:RequestType><t:KeyType>%[8]s</t:KeyType>`,
		wsuNS, samlTime(now), samlTime(a.notAfter), cloudAudienceURN, a.raw, tokenType, v.requestType, v.keyType)
	response := `<t:RequestSecurityTokenResponse xmlns:t="` + v.ns + `">` + inner + `</t:RequestSecurityTokenResponse>`
	if v.ns == wsTrust13NS {
		response = `<t:RequestSecurityTokenResponseCollection xmlns:t="` + v.ns + `"><t:RequestSecurityTokenResponse>` + inner +
			`</t:RequestSecurityTokenResponse></t:RequestSecurityTokenResponseCollection>`
	}
	return fmt.Sprintf(`<s:Envelope xmlns:s="%s" xmlns:a="http://www.w3.org/2005/08/addressing" xmlns:u="%s"><s:Header><a:Action s:mustUnderstand="1">%s</a:Action><o:Security s:mustUnderstand="1" xmlns:o="%s"><u:Timestamp u:Id="_0"><u:Created>%s</u:Created><u:Expires>%s</u:Expires></u:Timestamp></o:Security></s:Header><s:Body>%s</s:Body></s:Envelope>`,
		soap12NS, wsuNS, v.responseAction, wsseNS, samlTime(now), samlTime(now.Add(5*time.Minute)), response)
}

// writeSOAPFault answers as AD FS does when it refuses a request: HTTP 500
// with a SOAP 1.2 fault, even for a wrong password.
func writeSOAPFault(w http.ResponseWriter, code, subcode, reason string) {
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = fmt.Fprintf(w, `<s:Envelope xmlns:s="%s" xmlns:a="http://www.w3.org/2005/08/addressing"><s:Header><a:Action s:mustUnderstand="1">http://www.w3.org/2005/08/addressing/soap/fault</a:Action></s:Header><s:Body><s:Fault><s:Code><s:Value>%s</s:Value><s:Subcode><s:Value xmlns:a="%s">%s</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">%s</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`,
		soap12NS, code, wsseNS, subcode, xmlText(reason))
}
