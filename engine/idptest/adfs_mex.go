package idptest

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"text/template"
)

// The emulated AD FS of a federated domain lives under
// /sts/{domain}/adfs/services/trust/: its metadata exchange (mex) document
// and its WS-Trust 1.3 and 2005 username-mixed endpoints. Real AD FS farms
// sit on their own host (sts.contoso.com); one server keeps the emulator
// simple, and clients only ever follow the URLs user realm discovery and
// the mex document give them.

// adfsBase is the URL prefix of a federated domain's AD FS.
func (s *Server) adfsBase(domain string) string {
	return s.url + "/sts/" + strings.ToLower(domain) + "/adfs/services/trust"
}

// mexTemplate is the shape of AD FS's mex document, trimmed to what clients
// read: policies (username over transport for WS-Trust 1.3 and 2005,
// Windows integrated and certificate ones that a username client must
// skip), SOAP 1.2 bindings with their soapAction, and the service's ports.
// Names, namespaces and nesting are AD FS's. It is parsed on first use:
// idptest is linked into acctui, whose every command would otherwise parse
// it at start.
var mexTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("mex").Parse(mexText))
})

const mexText = `<?xml version="1.0" encoding="utf-8"?>
<wsdl:definitions name="SecurityTokenService" targetNamespace="http://tempuri.org/" xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:wsp="http://schemas.xmlsoap.org/ws/2004/09/policy" xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/" xmlns:tns="http://tempuri.org/" xmlns:wsa10="http://www.w3.org/2005/08/addressing" xmlns:wsam="http://www.w3.org/2007/05/addressing/metadata">
<wsp:Policy wsu:Id="CertificateWSTrustBinding_IWSTrustFeb2005Async_policy"><wsp:ExactlyOne><wsp:All>
<sp:TransportBinding xmlns:sp="http://schemas.xmlsoap.org/ws/2005/07/securitypolicy"><wsp:Policy><sp:TransportToken><wsp:Policy><sp:HttpsToken RequireClientCertificate="true"/></wsp:Policy></sp:TransportToken><sp:AlgorithmSuite><wsp:Policy><sp:Basic256/></wsp:Policy></sp:AlgorithmSuite><sp:Layout><wsp:Policy><sp:Strict/></wsp:Policy></sp:Layout></wsp:Policy></sp:TransportBinding>
<wsaw:UsingAddressing xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"/>
</wsp:All></wsp:ExactlyOne></wsp:Policy>
<wsp:Policy wsu:Id="WindowsWSTrustBinding_IWSTrustFeb2005Async_policy"><wsp:ExactlyOne><wsp:All>
<http:NegotiateAuthentication xmlns:http="http://schemas.microsoft.com/ws/06/2004/policy/http"/>
<sp:TransportBinding xmlns:sp="http://schemas.xmlsoap.org/ws/2005/07/securitypolicy"><wsp:Policy><sp:TransportToken><wsp:Policy><sp:HttpsToken RequireClientCertificate="false"/></wsp:Policy></sp:TransportToken><sp:AlgorithmSuite><wsp:Policy><sp:Basic256/></wsp:Policy></sp:AlgorithmSuite><sp:Layout><wsp:Policy><sp:Strict/></wsp:Policy></sp:Layout></wsp:Policy></sp:TransportBinding>
<wsaw:UsingAddressing xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"/>
</wsp:All></wsp:ExactlyOne></wsp:Policy>
<wsp:Policy wsu:Id="UserNameWSTrustBinding_IWSTrustFeb2005Async_policy"><wsp:ExactlyOne><wsp:All>
<sp:TransportBinding xmlns:sp="http://schemas.xmlsoap.org/ws/2005/07/securitypolicy"><wsp:Policy><sp:TransportToken><wsp:Policy><sp:HttpsToken RequireClientCertificate="false"/></wsp:Policy></sp:TransportToken><sp:AlgorithmSuite><wsp:Policy><sp:Basic256/></wsp:Policy></sp:AlgorithmSuite><sp:Layout><wsp:Policy><sp:Strict/></wsp:Policy></sp:Layout><sp:IncludeTimestamp/></wsp:Policy></sp:TransportBinding>
<sp:SignedSupportingTokens xmlns:sp="http://schemas.xmlsoap.org/ws/2005/07/securitypolicy"><wsp:Policy><sp:UsernameToken sp:IncludeToken="http://schemas.xmlsoap.org/ws/2005/07/securitypolicy/IncludeToken/AlwaysToRecipient"><wsp:Policy><sp:WssUsernameToken10/></wsp:Policy></sp:UsernameToken></wsp:Policy></sp:SignedSupportingTokens>
<sp:Wss11 xmlns:sp="http://schemas.xmlsoap.org/ws/2005/07/securitypolicy"><wsp:Policy/></sp:Wss11>
<wsaw:UsingAddressing xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"/>
</wsp:All></wsp:ExactlyOne></wsp:Policy>
<wsp:Policy wsu:Id="UserNameWSTrustBinding_IWSTrust13Async_policy"><wsp:ExactlyOne><wsp:All>
<sp:TransportBinding xmlns:sp="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702"><wsp:Policy><sp:TransportToken><wsp:Policy><sp:HttpsToken/></wsp:Policy></sp:TransportToken><sp:AlgorithmSuite><wsp:Policy><sp:Basic256/></wsp:Policy></sp:AlgorithmSuite><sp:Layout><wsp:Policy><sp:Strict/></wsp:Policy></sp:Layout><sp:IncludeTimestamp/></wsp:Policy></sp:TransportBinding>
<sp:SignedEncryptedSupportingTokens xmlns:sp="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702"><wsp:Policy><sp:UsernameToken sp:IncludeToken="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702/IncludeToken/AlwaysToRecipient"><wsp:Policy><sp:WssUsernameToken10/></wsp:Policy></sp:UsernameToken></wsp:Policy></sp:SignedEncryptedSupportingTokens>
<sp:Wss11 xmlns:sp="http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702"><wsp:Policy/></sp:Wss11>
<wsaw:UsingAddressing xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"/>
</wsp:All></wsp:ExactlyOne></wsp:Policy>
<wsdl:types/>
<wsdl:binding name="CertificateWSTrustBinding_IWSTrustFeb2005Async" type="tns:IWSTrustFeb2005Async"><wsp:PolicyReference URI="#CertificateWSTrustBinding_IWSTrustFeb2005Async_policy"/><soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/><wsdl:operation name="TrustFeb2005IssueAsync"><soap12:operation soapAction="http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue" style="document"/></wsdl:operation></wsdl:binding>
<wsdl:binding name="WindowsWSTrustBinding_IWSTrustFeb2005Async" type="tns:IWSTrustFeb2005Async"><wsp:PolicyReference URI="#WindowsWSTrustBinding_IWSTrustFeb2005Async_policy"/><soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/><wsdl:operation name="TrustFeb2005IssueAsync"><soap12:operation soapAction="http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue" style="document"/></wsdl:operation></wsdl:binding>
<wsdl:binding name="UserNameWSTrustBinding_IWSTrustFeb2005Async" type="tns:IWSTrustFeb2005Async"><wsp:PolicyReference URI="#UserNameWSTrustBinding_IWSTrustFeb2005Async_policy"/><soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/><wsdl:operation name="TrustFeb2005IssueAsync"><soap12:operation soapAction="http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue" style="document"/></wsdl:operation></wsdl:binding>
<wsdl:binding name="UserNameWSTrustBinding_IWSTrust13Async" type="tns:IWSTrust13Async"><wsp:PolicyReference URI="#UserNameWSTrustBinding_IWSTrust13Async_policy"/><soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/><wsdl:operation name="Trust13IssueAsync"><soap12:operation soapAction="http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue" style="document"/></wsdl:operation></wsdl:binding>
<wsdl:service name="SecurityTokenService">
<wsdl:port name="CertificateWSTrustBinding_IWSTrustFeb2005Async" binding="tns:CertificateWSTrustBinding_IWSTrustFeb2005Async"><soap12:address location="{{.Base}}/2005/certificatemixed"/><wsa10:EndpointReference><wsa10:Address>{{.Base}}/2005/certificatemixed</wsa10:Address></wsa10:EndpointReference></wsdl:port>
<wsdl:port name="WindowsWSTrustBinding_IWSTrustFeb2005Async" binding="tns:WindowsWSTrustBinding_IWSTrustFeb2005Async"><soap12:address location="{{.Base}}/2005/windowstransport"/><wsa10:EndpointReference><wsa10:Address>{{.Base}}/2005/windowstransport</wsa10:Address></wsa10:EndpointReference></wsdl:port>
<wsdl:port name="UserNameWSTrustBinding_IWSTrustFeb2005Async" binding="tns:UserNameWSTrustBinding_IWSTrustFeb2005Async"><soap12:address location="{{.Base}}/2005/usernamemixed"/><wsa10:EndpointReference><wsa10:Address>{{.Base}}/2005/usernamemixed</wsa10:Address></wsa10:EndpointReference></wsdl:port>
{{if .With13}}<wsdl:port name="UserNameWSTrustBinding_IWSTrust13Async" binding="tns:UserNameWSTrustBinding_IWSTrust13Async"><soap12:address location="{{.Base}}/13/usernamemixed"/><wsa10:EndpointReference><wsa10:Address>{{.Base}}/13/usernamemixed</wsa10:Address></wsa10:EndpointReference></wsdl:port>
{{end}}</wsdl:service>
</wsdl:definitions>
`

// handleMex is GET /sts/{domain}/adfs/services/trust/mex.
func (s *Server) handleMex(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	fed, _ := s.dir.federatedDomainByName(r.PathValue("domain"))
	s.mu.Unlock()
	if fed == nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_ = mexTemplate().Execute(w, struct {
		Base   string
		With13 bool
	}{s.adfsBase(fed.Domain), !fed.Only2005})
}

// msaRealmDomain is the domain user realm discovery names for personal
// Microsoft accounts, whatever their address (outlook.com, gmail.com…).
const msaRealmDomain = "live.com"

// handleMSAFederationMetadata is GET
// /sts/live.com/FederationMetadata/2007-06/FederationMetadata.xml: what
// live.com publishes is WS-Federation metadata, not a WS-Trust mex
// document, so a client finds no username endpoint in it (MSAL Python:
// "This typically happens when attempting MSA accounts").
func (s *Server) handleMSAFederationMetadata(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="utf-8"?><EntityDescriptor ID="_live" entityID="urn:federation:MicrosoftOnline:live.com" xmlns="urn:oasis:names:tc:SAML:2.0:metadata"><RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706"><fed:PassiveRequestorEndpoint><EndpointReference xmlns="http://www.w3.org/2005/08/addressing"><Address>`+s.url+`/sts/live.com/login.srf</Address></EndpointReference></fed:PassiveRequestorEndpoint></RoleDescriptor></EntityDescriptor>`)
}
