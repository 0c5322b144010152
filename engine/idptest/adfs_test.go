package idptest

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// rst writes a WS-Trust request the way MSAL Python 1.21 does.
func rst(endpoint, action, username, password, audience string, created time.Time) string {
	wst, keyType, requestType := wsTrust13NS, wsTrust13.keyType, wsTrust13.requestType
	if action == wsTrust2005Action {
		wst, keyType, requestType = wsTrust2005NS, wsTrust2005.keyType, wsTrust2005.requestType
	}
	return fmt.Sprintf(`<s:Envelope xmlns:s='%s' xmlns:wsa='http://www.w3.org/2005/08/addressing' xmlns:wsu='%s'><s:Header>
<wsa:Action s:mustUnderstand='1'>%s</wsa:Action><wsa:MessageID>urn:uuid:1</wsa:MessageID>
<wsa:ReplyTo><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous</wsa:Address></wsa:ReplyTo><wsa:To s:mustUnderstand='1'>%s</wsa:To>
<wsse:Security s:mustUnderstand='1' xmlns:wsse='%s'><wsu:Timestamp wsu:Id='_0'><wsu:Created>%s</wsu:Created><wsu:Expires>%s</wsu:Expires></wsu:Timestamp>
<wsse:UsernameToken wsu:Id='ADALUsernameToken'><wsse:Username>%s</wsse:Username><wsse:Password>%s</wsse:Password></wsse:UsernameToken></wsse:Security></s:Header>
<s:Body><wst:RequestSecurityToken xmlns:wst='%s'><wsp:AppliesTo xmlns:wsp='http://schemas.xmlsoap.org/ws/2004/09/policy'><wsa:EndpointReference><wsa:Address>%s</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>
<wst:KeyType>%s</wst:KeyType><wst:RequestType>%s</wst:RequestType></wst:RequestSecurityToken></s:Body></s:Envelope>`,
		soap12NS, wsuNS, action, endpoint, wsseNS, created.UTC().Format(time.RFC3339), created.Add(10*time.Minute).UTC().Format(time.RFC3339),
		xmlText(username), xmlText(password), wst, audience, keyType, requestType)
}

func postSOAP(t *testing.T, srv *Server, endpoint, action, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/soap+xml; charset=utf-8")
	req.Header.Set("SOAPAction", action)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(raw)
}

var tokenRE = regexp.MustCompile(`(?s)<t:RequestedSecurityToken>(.*)</t:RequestedSecurityToken>`)

func TestFederatedUserRealmAndMex(t *testing.T) {
	srv := startTLS(t)
	status, body := call(t, srv, http.MethodGet, "/common/userrealm/erin@ad.contoso.example?api-version=1.0", nil)
	base := srv.URL() + "/sts/ad.contoso.example/adfs/services/trust"
	want := map[string]any{"account_type": "Federated", "domain_name": "ad.contoso.example", "federation_protocol": "WSTrust",
		"federation_metadata_url": base + "/mex", "federation_active_auth_url": base + "/2005/usernamemixed",
		"cloud_audience_urn": "urn:federation:MicrosoftOnline"}
	for k, v := range want {
		if status != http.StatusOK || body[k] != v {
			t.Errorf("user realm %s = %v, want %v", k, body[k], v)
		}
	}
	for path, wantPorts := range map[string][]string{
		"/sts/ad.contoso.example/adfs/services/trust/mex":  {"/2005/usernamemixed", "/13/usernamemixed"},
		"/sts/ad.fabrikam.example/adfs/services/trust/mex": {"/2005/usernamemixed"},
	} {
		resp, err := srv.Client().Get(srv.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(doc), "wsdl:definitions") {
			t.Fatalf("%s: HTTP %d", path, resp.StatusCode)
		}
		for _, p := range wantPorts {
			if !strings.Contains(string(doc), "<wsa10:Address>"+srv.URL()+strings.TrimSuffix(path, "/mex")+p+"</wsa10:Address>") {
				t.Errorf("%s lacks the port %s", path, p)
			}
		}
		if len(wantPorts) == 1 && strings.Contains(string(doc), "/13/usernamemixed") {
			t.Errorf("%s lists WS-Trust 1.3 though the domain is 2005 only", path)
		}
	}
}

// TestWSTrustAndSAMLGrant: AD FS refuses what it refuses, and Entra redeems
// only the assertion AD FS issued, unchanged, in time, with its grant.
func TestWSTrustAndSAMLGrant(t *testing.T) {
	srv := startTLS(t)
	endpoint := srv.URL() + "/sts/ad.contoso.example/adfs/services/trust/13/usernamemixed"
	now := srv.Now()
	faults := map[string]string{
		"wrong password":     rst(endpoint, wsTrust13Action, "erin@ad.contoso.example", "wrong", cloudAudienceURN, now),
		"managed user":       rst(endpoint, wsTrust13Action, "alice@contoso.example", "demo-alice", cloudAudienceURN, now),
		"other party":        rst(endpoint, wsTrust13Action, "erin@ad.contoso.example", "demo-erin", "urn:other", now),
		"2005 request at 13": rst(endpoint, wsTrust2005Action, "erin@ad.contoso.example", "demo-erin", cloudAudienceURN, now),
		"stale timestamp":    rst(endpoint, wsTrust13Action, "erin@ad.contoso.example", "demo-erin", cloudAudienceURN, now.Add(-time.Hour)),
		"not XML":            "user=erin&password=demo-erin",
	}
	for name, body := range faults {
		status, answer := postSOAP(t, srv, endpoint, wsTrust13Action, body)
		if status != http.StatusInternalServerError || !strings.Contains(answer, "<s:Fault>") || strings.Contains(answer, "Assertion") {
			t.Errorf("%s: HTTP %d %.300s; want a SOAP fault", name, status, answer)
		}
	}
	status, answer := postSOAP(t, srv, endpoint, wsTrust13Action, rst(endpoint, wsTrust13Action, "erin@ad.contoso.example", "demo-erin", cloudAudienceURN, now))
	m := tokenRE.FindStringSubmatch(answer)
	if status != http.StatusOK || m == nil || !strings.Contains(answer, "<t:TokenType>urn:oasis:names:tc:SAML:1.0:assertion</t:TokenType>") {
		t.Fatalf("HTTP %d %.400s", status, answer)
	}
	assertion := m[1]
	grant := func(grantType, assertion string) (int, map[string]any) {
		return postToken(t, srv, "organizations", url.Values{"grant_type": {grantType}, "client_id": {cli}, "client_info": {"1"},
			"assertion": {base64.RawURLEncoding.EncodeToString([]byte(assertion))}, "scope": {graphScope}})
	}
	status, body := grant(grantSAML2, assertion)
	wantError(t, status, body, http.StatusBadRequest, "invalid_grant", 50008)
	status, body = grant(grantSAML11, strings.Replace(assertion, "erin@ad.contoso.example", "alice@contoso.example", 1))
	wantError(t, status, body, http.StatusBadRequest, "invalid_grant", 50006)
	status, body = grant(grantSAML11, assertion)
	if status != http.StatusOK || body["access_token"] == nil {
		t.Fatalf("redeem: HTTP %d %v", status, body)
	}
	if idt := verifiedClaims(t, srv, body["id_token"].(string)); idt["preferred_username"] != "erin@ad.contoso.example" {
		t.Errorf("id_token for %v", idt["preferred_username"])
	}
	srv.Advance(assertionLifetime + time.Minute)
	status, body = grant(grantSAML11, assertion)
	wantError(t, status, body, http.StatusBadRequest, "invalid_grant", 500133)
	// Entra cannot check a federated user's password itself.
	status, body = postToken(t, srv, ContosoTenantID, passwordForm(cli, "erin@ad.contoso.example", "demo-erin", graphScope))
	wantError(t, status, body, http.StatusBadRequest, "invalid_grant", 50126)
}

// TestFederatedBrowserSignIn: a federated user's browser sign-in leaves
// Entra's page for AD FS's (WS-Federation), whose token Entra accepts; the
// password never reaches Entra.
func TestFederatedBrowserSignIn(t *testing.T) {
	srv := startTLS(t)
	t.Run("authorization code", func(t *testing.T) {
		srv.ResetRequests()
		resp := signIn(t, srv, authorizeURL(srv, "organizations", nil), "erin@ad.contoso.example", "demo-erin")
		if resp.Params.Get("code") == "" {
			t.Fatalf("no code: %v", resp.Params)
		}
		if n := srv.CountRequests(EndpointADFSSignIn, ""); n != 2 {
			t.Errorf("AD FS page requests = %d, want 2 (the form and its post)", n)
		}
		status, body := postToken(t, srv, "organizations", url.Values{"grant_type": {"authorization_code"}, "client_id": {cli},
			"code": {resp.Params.Get("code")}, "redirect_uri": {"http://localhost:8400"}, "scope": {graphScope}})
		if status != http.StatusOK {
			t.Fatalf("HTTP %d %v", status, body)
		}
		if idt := verifiedClaims(t, srv, body["id_token"].(string)); idt["preferred_username"] != "erin@ad.contoso.example" {
			t.Errorf("id_token for %v", idt["preferred_username"])
		}
	})
	t.Run("wrong password at AD FS", func(t *testing.T) {
		_, err := NewBrowser(srv.Client()).SignIn(context.Background(), authorizeURL(srv, "organizations", url.Values{"prompt": {"login"}}), "erin@ad.contoso.example", "wrong")
		if err == nil || !strings.Contains(err.Error(), "Incorrect user ID or password") {
			t.Errorf("err = %v, want AD FS's refusal", err)
		}
	})
	t.Run("device code", func(t *testing.T) {
		dc := startDeviceFlow(t, srv)
		if err := NewBrowser(srv.Client()).DeviceSignIn(context.Background(), dc["verification_uri"].(string), dc["user_code"].(string), "frank@ad.fabrikam.example", "demo-frank", true); err != nil {
			t.Fatal(err)
		}
		status, body := postToken(t, srv, "organizations", pollForm(dc))
		if status != http.StatusOK {
			t.Fatalf("HTTP %d %v", status, body)
		}
	})
	t.Run("forged token", func(t *testing.T) {
		b := NewBrowser(srv.Client())
		page, _, err := b.get(context.Background(), authorizeURL(srv, "organizations", url.Values{"prompt": {"login"}}))
		if err != nil {
			t.Fatal(err)
		}
		page, _, err = b.submit(context.Background(), page, "wsfed", url.Values{"wresult": {"made-up"}})
		if err != nil || !strings.Contains(pageError(page), "AADSTS50008") {
			t.Errorf("forged AD FS token: page error %q, %v", pageError(page), err)
		}
	})
}
