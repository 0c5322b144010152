package engine

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"strings"
)

// Namespaces of the metadata exchange (mex) document a federated identity
// provider such as AD FS publishes.
const (
	nsWSDL       = "http://schemas.xmlsoap.org/wsdl/"
	nsSOAP12WSDL = "http://schemas.xmlsoap.org/wsdl/soap12/"
	nsPolicy     = "http://schemas.xmlsoap.org/ws/2004/09/policy"
	nsWSU        = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
	nsSP13       = "http://docs.oasis-open.org/ws-sx/ws-securitypolicy/200702"
	nsSP2005     = "http://schemas.xmlsoap.org/ws/2005/07/securitypolicy"
	nsAddressing = "http://www.w3.org/2005/08/addressing"
	soapHTTP     = "http://schemas.xmlsoap.org/soap/http"
)

// The two WS-Trust versions a username-mixed endpoint may speak, named by
// their SOAP action.
const (
	wsTrust13Action   = "http://docs.oasis-open.org/ws-sx/ws-trust/200512/RST/Issue"
	wsTrust2005Action = "http://schemas.xmlsoap.org/ws/2005/02/trust/RST/Issue"
)

// wsTrustEndpoint is where to send a username and password over WS-Trust.
type wsTrustEndpoint struct {
	Address string
	Action  string // wsTrust13Action or wsTrust2005Action
}

// xmlNode is a generic element tree: mex documents vary too much between
// providers for fixed structs.
type xmlNode struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Nodes   []xmlNode  `xml:",any"`
	Text    string     `xml:",chardata"`
}

func (n *xmlNode) attr(space, local string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == local && (space == "" || a.Name.Space == space) {
			return a.Value
		}
	}
	return ""
}

// child follows a path of (namespace, local name) steps from n and returns
// the first element found, or nil.
func (n *xmlNode) child(path ...xml.Name) *xmlNode {
	if len(path) == 0 {
		return n
	}
	for i := range n.Nodes {
		if n.Nodes[i].XMLName == path[0] {
			if found := n.Nodes[i].child(path[1:]...); found != nil {
				return found
			}
		}
	}
	return nil
}

// children returns n's direct children with a name.
func (n *xmlNode) children(name xml.Name) []*xmlNode {
	var out []*xmlNode
	for i := range n.Nodes {
		if n.Nodes[i].XMLName == name {
			out = append(out, &n.Nodes[i])
		}
	}
	return out
}

// descendant reports whether an element with the name is anywhere below n.
func (n *xmlNode) descendant(name xml.Name) bool {
	for i := range n.Nodes {
		if n.Nodes[i].XMLName == name || n.Nodes[i].descendant(name) {
			return true
		}
	}
	return false
}

func qn(space, local string) xml.Name { return xml.Name{Space: space, Local: local} }

// parseMex finds the username/password WS-Trust endpoint in a mex
// document, preferring WS-Trust 1.3 over 2005 as MSAL does. It follows the
// document's own references: policies that demand a WS-Security username
// token over a secure transport, SOAP 1.2 HTTP bindings that use those
// policies, and the service ports of those bindings.
func parseMex(doc []byte) (wsTrustEndpoint, error) {
	var root xmlNode
	if err := xml.NewDecoder(bytes.NewReader(doc)).Decode(&root); err != nil {
		return wsTrustEndpoint{}, fmt.Errorf("engine: federation metadata is not XML: %w", err)
	}
	if root.XMLName != qn(nsWSDL, "definitions") {
		return wsTrustEndpoint{}, fmt.Errorf("engine: federation metadata is not a WSDL document")
	}
	policies := usernamePolicies(&root)
	actions := map[string]string{} // binding name → soapAction
	for _, b := range root.children(qn(nsWSDL, "binding")) {
		soap := b.child(qn(nsSOAP12WSDL, "binding"))
		op := b.child(qn(nsWSDL, "operation"), qn(nsSOAP12WSDL, "operation"))
		if soap == nil || soap.attr("", "transport") != soapHTTP || op == nil {
			continue
		}
		for _, ref := range b.children(qn(nsPolicy, "PolicyReference")) {
			if policies[ref.attr("", "URI")] {
				actions[b.attr("", "name")] = op.attr("", "soapAction")
			}
		}
	}
	var found []wsTrustEndpoint
	service := root.child(qn(nsWSDL, "service"))
	if service != nil {
		for _, port := range service.children(qn(nsWSDL, "port")) {
			binding := port.attr("", "binding")
			if i := strings.LastIndex(binding, ":"); i >= 0 {
				binding = binding[i+1:]
			}
			action, ok := actions[binding]
			address := port.child(qn(nsAddressing, "EndpointReference"), qn(nsAddressing, "Address"))
			if !ok || address == nil || !secureEndpoint(strings.TrimSpace(address.Text)) {
				continue
			}
			if action != wsTrust13Action && action != wsTrust2005Action {
				continue
			}
			found = append(found, wsTrustEndpoint{Address: strings.TrimSpace(address.Text), Action: action})
		}
	}
	for _, e := range found {
		if e.Action == wsTrust13Action {
			return e, nil
		}
	}
	if len(found) > 0 {
		return found[0], nil
	}
	return wsTrustEndpoint{}, fmt.Errorf("engine: the federation metadata lists no WS-Trust username/password endpoint over https; this identity provider does not take passwords from applications: use the browser or device-code sign-in")
}

// usernamePolicies returns "#id" of every policy that sends a WS-Security
// username token over a secure transport, in the 1.3 (200702) or 2005
// security policy vocabulary.
func usernamePolicies(root *xmlNode) map[string]bool {
	out := map[string]bool{}
	for _, p := range root.children(qn(nsPolicy, "Policy")) {
		all := p.child(qn(nsPolicy, "ExactlyOne"), qn(nsPolicy, "All"))
		if all == nil {
			continue
		}
		for _, v := range []struct{ ns, tokens string }{{nsSP13, "SignedEncryptedSupportingTokens"}, {nsSP2005, "SignedSupportingTokens"}} {
			username := all.child(qn(v.ns, v.tokens), qn(nsPolicy, "Policy"), qn(v.ns, "UsernameToken"),
				qn(nsPolicy, "Policy"), qn(v.ns, "WssUsernameToken10"))
			if username != nil && p.descendant(qn(v.ns, "TransportBinding")) {
				out["#"+p.attr(nsWSU, "Id")] = true
			}
		}
	}
	return out
}

// secureEndpoint accepts https, and plain http only on loopback (a local
// emulator), the rule authorities follow: a password is sent there.
func secureEndpoint(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return true
	case "http":
		return isLoopbackHost(strings.ToLower(u.Hostname()))
	}
	return false
}

// actionFromAddress guesses the WS-Trust version of an endpoint from its
// path, for a federated domain that announces only
// federation_active_auth_url.
func actionFromAddress(address string) string {
	lower := strings.ToLower(address)
	switch {
	case strings.Contains(lower, "/trust/2005/usernamemixed"):
		return wsTrust2005Action
	case strings.Contains(lower, "/trust/13/usernamemixed"):
		return wsTrust13Action
	}
	return ""
}
