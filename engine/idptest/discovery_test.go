package idptest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestOpenIDConfiguration(t *testing.T) {
	srv := startTLS(t)
	tests := []struct {
		segment     string
		wantIssuer  string
		wantEndpath string
	}{
		{ContosoTenantID, srv.URL() + "/" + ContosoTenantID + "/v2.0", ContosoTenantID},
		{"contoso.example", srv.URL() + "/" + ContosoTenantID + "/v2.0", ContosoTenantID},
		{"common", srv.URL() + "/{tenantid}/v2.0", "common"},
		{"organizations", srv.URL() + "/{tenantid}/v2.0", "organizations"},
		{"consumers", srv.URL() + "/" + ConsumersTenantID + "/v2.0", "consumers"},
	}
	for _, tt := range tests {
		t.Run(tt.segment, func(t *testing.T) {
			status, doc := call(t, srv, http.MethodGet, "/"+tt.segment+"/v2.0/.well-known/openid-configuration", nil)
			if status != http.StatusOK {
				t.Fatalf("HTTP %d", status)
			}
			if doc["issuer"] != tt.wantIssuer {
				t.Errorf("issuer = %v, want %s", doc["issuer"], tt.wantIssuer)
			}
			base := srv.URL() + "/" + tt.wantEndpath
			for field, path := range map[string]string{
				"token_endpoint":                "/oauth2/v2.0/token",
				"authorization_endpoint":        "/oauth2/v2.0/authorize",
				"device_authorization_endpoint": "/oauth2/v2.0/devicecode",
				"jwks_uri":                      "/discovery/v2.0/keys",
			} {
				if doc[field] != base+path {
					t.Errorf("%s = %v, want %s", field, doc[field], base+path)
				}
			}
		})
	}
	t.Run("unknown tenant", func(t *testing.T) {
		status, body := call(t, srv, http.MethodGet, "/nowhere.example/v2.0/.well-known/openid-configuration", nil)
		wantError(t, status, body, http.StatusBadRequest, "invalid_tenant", 90002)
	})
}

func TestInstanceDiscovery(t *testing.T) {
	srv := startTLS(t)
	q := url.Values{"api-version": {"1.1"}, "authorization_endpoint": {srv.URL() + "/" + ContosoTenantID + "/oauth2/v2.0/authorize"}}
	status, body := call(t, srv, http.MethodGet, "/common/discovery/instance?"+q.Encode(), nil)
	if status != http.StatusOK {
		t.Fatalf("HTTP %d", status)
	}
	if body["tenant_discovery_endpoint"] != srv.URL()+"/"+ContosoTenantID+"/v2.0/.well-known/openid-configuration" {
		t.Errorf("tenant_discovery_endpoint = %v", body["tenant_discovery_endpoint"])
	}
	groups := map[string][]any{}
	for _, m := range body["metadata"].([]any) {
		group := m.(map[string]any)
		groups[group["preferred_network"].(string)] = group["aliases"].([]any)
	}
	if aliases := groups[srv.Host()]; len(aliases) != 1 || aliases[0] != srv.Host() {
		t.Errorf("emulator's aliases = %v, want [%s]", aliases, srv.Host())
	}
	// Every cloud's real alias group, as Entra answers.
	for network, want := range map[string]string{
		"login.microsoftonline.com":        "login.microsoftonline.com login.windows.net login.microsoft.com sts.windows.net",
		"login.partner.microsoftonline.cn": "login.partner.microsoftonline.cn login.chinacloudapi.cn",
		"login.microsoftonline.us":         "login.microsoftonline.us login.usgovcloudapi.net",
		"login-us.microsoftonline.com":     "login-us.microsoftonline.com",
		"login.microsoftonline.de":         "login.microsoftonline.de",
	} {
		var got []string
		for _, a := range groups[network] {
			got = append(got, a.(string))
		}
		if strings.Join(got, " ") != want {
			t.Errorf("aliases of %s = %v, want %s", network, got, want)
		}
	}
	// A known cloud's host is valid and discovered on its own host.
	q.Set("authorization_endpoint", "https://login.chinacloudapi.cn/common/oauth2/v2.0/authorize")
	if status, body = call(t, srv, http.MethodGet, "/common/discovery/instance?"+q.Encode(), nil); status != http.StatusOK ||
		body["tenant_discovery_endpoint"] != "https://login.chinacloudapi.cn/common/v2.0/.well-known/openid-configuration" {
		t.Errorf("sovereign host: HTTP %d %v", status, body["tenant_discovery_endpoint"])
	}

	q.Set("authorization_endpoint", "https://evil.example/common/oauth2/v2.0/authorize")
	status, body = call(t, srv, http.MethodGet, "/common/discovery/instance?"+q.Encode(), nil)
	wantError(t, status, body, http.StatusBadRequest, "invalid_instance", 50049)
}

func TestUserRealm(t *testing.T) {
	srv := startTLS(t)
	for username, want := range map[string]string{
		"alice@contoso.example":   "Managed",
		"dave@FABRIKAM.example":   "Managed",
		"someone@nowhere.example": "Unknown",
	} {
		status, body := call(t, srv, http.MethodGet, "/common/userrealm/"+url.PathEscape(username)+"?api-version=1.0", nil)
		if status != http.StatusOK || body["account_type"] != want || body["ver"] != "1.0" {
			t.Errorf("%s: HTTP %d %v, want account_type %s", username, status, body, want)
		}
	}
}

func TestKeysVerifyIssuedTokens(t *testing.T) {
	srv := startTLS(t)
	status, body := postToken(t, srv, "organizations", passwordForm(cli, "alice@contoso.example", "demo-alice", graphScope))
	if status != http.StatusOK {
		t.Fatalf("password grant: HTTP %d %v", status, body)
	}
	at := graphClaims(t, srv, body["access_token"].(string))
	idt := verifiedClaims(t, srv, body["id_token"].(string))
	if at["aud"] != "https://graph.microsoft.com" || at["ver"] != "1.0" || at["scp"] != "User.Read email openid profile" || at["tid"] != ContosoTenantID {
		t.Errorf("access token claims: %v", at)
	}
	for _, claim := range []string{"iat", "nbf", "exp", "oid"} {
		if at[claim] == nil {
			t.Errorf("access token lacks %s", claim)
		}
	}
	if idt["aud"] != cli || idt["preferred_username"] != "alice@contoso.example" || idt["iss"] != srv.URL()+"/"+ContosoTenantID+"/v2.0" {
		t.Errorf("id token claims: %v", idt)
	}
	if !strings.HasPrefix(idt["iss"].(string), "https://127.0.0.1:") {
		t.Errorf("issuer %v is not the emulator", idt["iss"])
	}
}
