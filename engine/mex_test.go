package engine

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// mexDoc builds a mex document from policy and port snippets, in the
// namespaces AD FS uses.
func mexDoc(policies, bindings, ports string) string {
	return `<?xml version="1.0"?><wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:tns="http://tempuri.org/" xmlns:wsa10="http://www.w3.org/2005/08/addressing" xmlns:sp="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702" xmlns:sp2005="http://schemas.xmlsoap.org/ws/2005/07/securitypolicy">` +
		policies + bindings + `<wsdl:service name="SecurityTokenService">` + ports + `</wsdl:service></wsdl:definitions>`
}

const (
	policy13   = `<wsp:Policy wsu:Id="U13"><wsp:ExactlyOne><wsp:All><sp:TransportBinding/><sp:SignedEncryptedSupportingTokens><wsp:Policy><sp:UsernameToken><wsp:Policy><sp:WssUsernameToken10/></wsp:Policy></sp:UsernameToken></wsp:Policy></sp:SignedEncryptedSupportingTokens></wsp:All></wsp:ExactlyOne></wsp:Policy>`
	policy2005 = `<wsp:Policy wsu:Id="U2005"><wsp:ExactlyOne><wsp:All><sp2005:TransportBinding/><sp2005:SignedSupportingTokens><wsp:Policy><sp2005:UsernameToken><wsp:Policy><sp2005:WssUsernameToken10/></wsp:Policy></sp2005:UsernameToken></wsp:Policy></sp2005:SignedSupportingTokens></wsp:All></wsp:ExactlyOne></wsp:Policy>`
	policyIWA  = `<wsp:Policy wsu:Id="IWA"><wsp:ExactlyOne><wsp:All><http:NegotiateAuthentication xmlns:http="http://schemas.microsoft.com/ws/06/2004/policy/http"/><sp2005:TransportBinding/></wsp:All></wsp:ExactlyOne></wsp:Policy>`
	// A username token without a transport binding sends the password in
	// the clear: not usable.
	policyNoTransport = `<wsp:Policy wsu:Id="Bare"><wsp:ExactlyOne><wsp:All><sp:SignedEncryptedSupportingTokens><wsp:Policy><sp:UsernameToken><wsp:Policy><sp:WssUsernameToken10/></wsp:Policy></sp:UsernameToken></wsp:Policy></sp:SignedEncryptedSupportingTokens></wsp:All></wsp:ExactlyOne></wsp:Policy>`
)

func mexBinding(name, policy, action string) string {
	return `<wsdl:binding name="` + name + `"><wsp:PolicyReference URI="#` + policy + `"/><soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/><wsdl:operation name="Issue"><soap12:operation soapAction="` + action + `"/></wsdl:operation></wsdl:binding>`
}

func mexPort(binding, address string) string {
	return `<wsdl:port name="` + binding + `" binding="tns:` + binding + `"><wsa10:EndpointReference><wsa10:Address>` + address + `</wsa10:Address></wsa10:EndpointReference></wsdl:port>`
}

func TestParseMex(t *testing.T) {
	b13 := mexBinding("B13", "U13", wsTrust13Action)
	b2005 := mexBinding("B2005", "U2005", wsTrust2005Action)
	bIWA := mexBinding("BIWA", "IWA", wsTrust2005Action)
	bBare := mexBinding("BBare", "Bare", wsTrust13Action)
	cases := []struct {
		name    string
		doc     string
		want    wsTrustEndpoint
		wantErr string
	}{
		{"1.3 preferred over 2005", mexDoc(policy2005+policy13, b2005+b13,
			mexPort("B2005", "https://sts.example/adfs/services/trust/2005/usernamemixed")+mexPort("B13", "https://sts.example/adfs/services/trust/13/usernamemixed")),
			wsTrustEndpoint{"https://sts.example/adfs/services/trust/13/usernamemixed", wsTrust13Action}, ""},
		{"2005 when 1.3 is absent", mexDoc(policy2005+policyIWA, bIWA+b2005,
			mexPort("BIWA", "https://sts.example/adfs/services/trust/2005/windowstransport")+mexPort("B2005", "https://sts.example/adfs/services/trust/2005/usernamemixed")),
			wsTrustEndpoint{"https://sts.example/adfs/services/trust/2005/usernamemixed", wsTrust2005Action}, ""},
		{"plain http port skipped", mexDoc(policy2005+policy13, b2005+b13,
			mexPort("B13", "http://sts.example/adfs/services/trust/13/usernamemixed")+mexPort("B2005", "https://sts.example/adfs/services/trust/2005/usernamemixed")),
			wsTrustEndpoint{"https://sts.example/adfs/services/trust/2005/usernamemixed", wsTrust2005Action}, ""},
		{"Windows integrated only", mexDoc(policyIWA, bIWA, mexPort("BIWA", "https://sts.example/adfs/services/trust/2005/windowstransport")), wsTrustEndpoint{}, "no WS-Trust username/password endpoint"},
		{"username without transport security", mexDoc(policyNoTransport, bBare, mexPort("BBare", "https://sts.example/x")), wsTrustEndpoint{}, "no WS-Trust username/password endpoint"},
		{"not XML", "<html><body>sign in</body>", wsTrustEndpoint{}, "not XML"},
		{"not WSDL", "<feed/>", wsTrustEndpoint{}, "not a WSDL document"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseMex([]byte(tc.doc))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("parseMex = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestParseRSTR(t *testing.T) {
	// The assertion's bytes, attribute order and whitespace included, must
	// come back unchanged: AD FS signed exactly these.
	assertion := `<saml:Assertion   AssertionID="_1" MajorVersion="1" xmlns:saml="urn:oasis:names:tc:SAML:1.0:assertion"><saml:Conditions NotOnOrAfter="x"/><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#">AB/CD==</ds:Signature></saml:Assertion>`
	rstr13 := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><trust:RequestSecurityTokenResponseCollection xmlns:trust="http://docs.oasis-open.org/ws-sx/ws-trust/200512"><trust:RequestSecurityTokenResponse><trust:RequestedSecurityToken>` +
		"\n  " + assertion + "\n" + `</trust:RequestedSecurityToken><trust:TokenType>urn:oasis:names:tc:SAML:1.0:assertion</trust:TokenType></trust:RequestSecurityTokenResponse></trust:RequestSecurityTokenResponseCollection></s:Body></s:Envelope>`
	got, fault, err := parseRSTR([]byte(rstr13))
	if err != nil || fault != nil {
		t.Fatalf("parseRSTR: %v %v", fault, err)
	}
	if string(got.raw) != assertion || got.tokenType != "urn:oasis:names:tc:SAML:1.0:assertion" {
		t.Errorf("assertion %q type %q; want the bytes as sent", got.raw, got.tokenType)
	}
	if samlGrantByTokenType[got.tokenType] != grantSAML11 {
		t.Errorf("grant for %s = %q", got.tokenType, samlGrantByTokenType[got.tokenType])
	}

	faultDoc := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><s:Fault><s:Code><s:Value>s:Sender</s:Value><s:Subcode><s:Value xmlns:a="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd">a:FailedAuthentication</s:Value></s:Subcode></s:Code><s:Reason><s:Text xml:lang="en-US">ID3242: The security token could not be
 authenticated or authorized.</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>`
	_, fault, err = parseRSTR([]byte(faultDoc))
	if err != nil || fault == nil {
		t.Fatalf("fault not recognised: %v %v", fault, err)
	}
	if !fault.IsFailedAuthentication() || fault.Reason != "ID3242: The security token could not be authenticated or authorized." {
		t.Errorf("fault = %+v", fault)
	}

	for name, doc := range map[string]string{
		"no token type": `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body><t:RequestSecurityTokenResponse xmlns:t="http://schemas.xmlsoap.org/ws/2005/02/trust"><t:RequestedSecurityToken>` + assertion + `</t:RequestedSecurityToken></t:RequestSecurityTokenResponse></s:Body></s:Envelope>`,
		"HTML":          `<html><body>Service Unavailable</body></html>`,
		"truncated":     rstr13[:len(rstr13)/2],
	} {
		if _, fault, err := parseRSTR([]byte(doc)); err == nil || fault != nil {
			t.Errorf("%s: parseRSTR gave no error (fault %v)", name, fault)
		}
	}
}

func TestBuildRSTVersions(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		action, ns, keyType string
	}{
		{wsTrust13Action, "http://docs.oasis-open.org/ws-sx/ws-trust/200512", "http://docs.oasis-open.org/ws-sx/ws-trust/200512/Bearer"},
		{wsTrust2005Action, "http://schemas.xmlsoap.org/ws/2005/02/trust", "http://schemas.xmlsoap.org/ws/2005/05/identity/NoProofKey"},
	} {
		body, err := buildRST(wsTrustEndpoint{"https://sts.example/x", tc.action}, "u@example", "p&<", "urn:federation:MicrosoftOnline", now)
		if err != nil {
			t.Fatal(err)
		}
		s := string(body)
		for _, want := range []string{`xmlns:wst="` + tc.ns + `"`, tc.keyType, `>` + tc.action + `<`, `<wsse:Password>p&amp;&lt;</wsse:Password>`,
			`<wsu:Created>2026-01-02T03:04:05Z</wsu:Created>`, `<wsa:Address>urn:federation:MicrosoftOnline</wsa:Address>`} {
			if !strings.Contains(s, want) {
				t.Errorf("%s request lacks %s:\n%s", tc.action, want, s)
			}
		}
	}
	if _, err := buildRST(wsTrustEndpoint{"https://sts.example/x", "urn:other"}, "u", "p", "a", now); err == nil {
		t.Error("an unknown WS-Trust action was accepted")
	}
}

func TestFederationEndpointFallback(t *testing.T) {
	c := &Client{}
	got, err := c.federationEndpoint(t.Context(), userRealm{AccountType: "Federated", FederationActiveAuthURL: "https://sts.example/adfs/services/trust/2005/usernamemixed"})
	if err != nil || got.Action != wsTrust2005Action {
		t.Fatalf("fallback to federation_active_auth_url: %+v %v", got, err)
	}
	for _, realm := range []userRealm{
		{AccountType: "Federated", DomainName: "example.com"},
		{AccountType: "Federated", DomainName: "example.com", FederationActiveAuthURL: "http://sts.example/adfs/services/trust/2005/usernamemixed"},
		{AccountType: "Federated", DomainName: "example.com", FederationActiveAuthURL: "https://sts.example/adfs/ls/"},
	} {
		if _, err := c.federationEndpoint(t.Context(), realm); err == nil {
			t.Errorf("realm %+v: no error", realm)
		}
	}
}

func TestFaultReasonIsOneSafeLine(t *testing.T) {
	// XML cannot carry C0 controls, but it can carry bidi overrides, line
	// breaks and any length.
	doc := "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><s:Fault><s:Reason><s:Text>bad\u202emoc.elpmaxe\n\t" +
		strings.Repeat("é", 400) + "</s:Text></s:Reason></s:Fault></s:Body></s:Envelope>"
	_, fault, err := parseRSTR([]byte(doc))
	if err != nil || fault == nil {
		t.Fatalf("fault not read: %v %v", fault, err)
	}
	if strings.ContainsAny(fault.Reason, "\u202e\n\t") || !utf8.ValidString(fault.Reason) || utf8.RuneCountInString(fault.Reason) > 301 {
		t.Errorf("reason %q is not one safe, bounded line", fault.Reason)
	}
}
