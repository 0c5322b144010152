package idptest

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestPasswordGrant(t *testing.T) {
	srv := startTLS(t)
	t.Run("tokens and client_info", func(t *testing.T) {
		status, body := postToken(t, srv, ContosoTenantID, passwordForm(cli, "alice@contoso.example", "demo-alice", graphScope))
		if status != http.StatusOK {
			t.Fatalf("HTTP %d %v", status, body)
		}
		for _, field := range []string{"access_token", "refresh_token", "id_token", "client_info", "scope"} {
			if body[field] == nil || body[field] == "" {
				t.Errorf("response lacks %s", field)
			}
		}
		if body["token_type"] != "Bearer" || body["expires_in"] != float64(3600) || body["ext_expires_in"] != float64(3600) || body["foci"] != "1" {
			t.Errorf("response fields: %v", body)
		}
		if _, ok := body["refresh_in"]; ok {
			t.Errorf("a one-hour token must not carry refresh_in")
		}
		raw, err := base64.RawURLEncoding.DecodeString(body["client_info"].(string))
		if err != nil {
			t.Fatal(err)
		}
		var info map[string]string
		if err := json.Unmarshal(raw, &info); err != nil {
			t.Fatal(err)
		}
		idt := verifiedClaims(t, srv, body["id_token"].(string))
		if info["uid"] != idt["oid"] || info["utid"] != ContosoTenantID {
			t.Errorf("client_info %v does not match oid %v", info, idt["oid"])
		}
	})
	t.Run("no client_info unless asked", func(t *testing.T) {
		form := passwordForm(cli, "alice@contoso.example", "demo-alice", graphScope)
		form.Del("client_info")
		_, body := postToken(t, srv, ContosoTenantID, form)
		if _, ok := body["client_info"]; ok {
			t.Error("client_info sent without client_info=1")
		}
	})
	t.Run("long-lived tokens carry refresh_in", func(t *testing.T) {
		if err := srv.SetTokenLifetimes("dave@fabrikam.example", 24*time.Hour, 0); err != nil {
			t.Fatal(err)
		}
		_, body := postToken(t, srv, "organizations", passwordForm(cli, "dave@fabrikam.example", "demo-dave", graphScope))
		if body["refresh_in"] != float64(12*3600) || body["expires_in"] != float64(24*3600) {
			t.Errorf("refresh_in = %v, expires_in = %v", body["refresh_in"], body["expires_in"])
		}
	})

	errorCases := []struct {
		name       string
		tenant     string
		form       url.Values
		wantStatus int
		wantErr    string
		wantCode   int
	}{
		{"bad password", ContosoTenantID, passwordForm(cli, "alice@contoso.example", "wrong", graphScope), 400, "invalid_grant", 50126},
		{"unknown user", ContosoTenantID, passwordForm(cli, "nobody@contoso.example", "x", graphScope), 400, "invalid_grant", 50034},
		{"MFA required", ContosoTenantID, passwordForm(cli, "bob@contoso.example", "demo-bob", graphScope), 400, "interaction_required", 50076},
		{"unknown client", ContosoTenantID, passwordForm("00000000-0000-0000-0000-000000000000", "alice@contoso.example", "demo-alice", graphScope), 400, "unauthorized_client", 700016},
		{"invalid scope", ContosoTenantID, passwordForm(cli, "alice@contoso.example", "demo-alice", "https://graph.microsoft.com/ openid"), 400, "invalid_scope", 70011},
		{"two resources", ContosoTenantID, passwordForm(cli, "alice@contoso.example", "demo-alice", "https://graph.microsoft.com/User.Read https://management.azure.com/.default"), 400, "invalid_scope", 28000},
		{"unknown tenant", "nowhere.example", passwordForm(cli, "alice@contoso.example", "demo-alice", graphScope), 400, "invalid_tenant", 90002},
		{"user of another tenant", FabrikamTenantID, passwordForm(cli, "alice@contoso.example", "demo-alice", graphScope), 400, "invalid_grant", 50020},
		{"public client with a secret", ContosoTenantID, withField(passwordForm(cli, "alice@contoso.example", "demo-alice", graphScope), "client_secret", "x"), 401, "invalid_client", 700025},
		{"unsupported grant", ContosoTenantID, url.Values{"grant_type": {"implicit"}, "client_id": {cli}}, 400, "unsupported_grant_type", 70003},
	}
	for _, tt := range errorCases {
		t.Run(tt.name, func(t *testing.T) {
			status, body := postToken(t, srv, tt.tenant, tt.form)
			wantError(t, status, body, tt.wantStatus, tt.wantErr, tt.wantCode)
		})
	}
	t.Run("MFA refusal is basic_action without claims", func(t *testing.T) {
		// Entra's usual ROPC answer for a user under MFA: nothing a
		// client could send back, only an interactive sign-in helps.
		_, body := postToken(t, srv, ContosoTenantID, passwordForm(cli, "bob@contoso.example", "demo-bob", graphScope))
		if _, ok := body["claims"]; ok || body["suberror"] != "basic_action" {
			t.Errorf("suberror = %v, claims = %v; want basic_action and no claims", body["suberror"], body["claims"])
		}
		if desc, _ := body["error_description"].(string); !strings.Contains(desc, "'https://graph.microsoft.com'") {
			t.Errorf("description %q does not name the resource", desc)
		}
	})
}

func withField(form url.Values, key, value string) url.Values {
	form.Set(key, value)
	return form
}

func TestDisabledAndConsentUsers(t *testing.T) {
	dir := DefaultDirectory()
	dir.Tenants[0].Users = append(dir.Tenants[0].Users,
		&User{Username: "erin@contoso.example", Password: "demo-erin", Disabled: true},
		&User{Username: "frank@contoso.example", Password: "demo-frank", ConsentRequired: true},
	)
	srv := Start(t, Options{TLS: true, Directory: dir})
	status, body := postToken(t, srv, ContosoTenantID, passwordForm(cli, "erin@contoso.example", "demo-erin", graphScope))
	wantError(t, status, body, 400, "invalid_grant", 50057)

	status, body = postToken(t, srv, ContosoTenantID, passwordForm(cli, "frank@contoso.example", "demo-frank", graphScope))
	wantError(t, status, body, 400, "invalid_grant", 65001)
	if body["suberror"] != "consent_required" {
		t.Errorf("suberror = %v", body["suberror"])
	}
	if err := srv.GrantConsent("frank@contoso.example", cli); err != nil {
		t.Fatal(err)
	}
	if status, body = postToken(t, srv, ContosoTenantID, passwordForm(cli, "frank@contoso.example", "demo-frank", graphScope)); status != 200 {
		t.Errorf("after consent: HTTP %d %v", status, body)
	}
}

func refreshForm(clientID, rt, scope string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {rt}, "scope": {scope}, "client_info": {"1"}}
}

func TestRefreshTokenGrant(t *testing.T) {
	dir := DefaultDirectory()
	dir.Apps = append(dir.Apps, &App{ClientID: "a0a0a0a0-0000-4000-8000-000000000001", Name: "Outsider", Public: true})
	srv := Start(t, Options{TLS: true, Directory: dir})
	_, first := postToken(t, srv, "organizations", passwordForm(cli, "alice@contoso.example", "demo-alice", graphScope))
	rt := first["refresh_token"].(string)

	t.Run("same client, another resource", func(t *testing.T) {
		status, body := postToken(t, srv, "organizations", refreshForm(cli, rt, "https://management.core.windows.net//.default openid offline_access"))
		if status != 200 {
			t.Fatalf("HTTP %d %v", status, body)
		}
		at := verifiedClaims(t, srv, body["access_token"].(string))
		if at["aud"] != "https://management.core.windows.net/" || at["scp"] != "user_impersonation" {
			t.Errorf("claims %v", at)
		}
		if body["refresh_token"] == rt || body["refresh_token"] == nil {
			t.Error("refresh tokens are rotated")
		}
	})
	t.Run("family member redeems the family token", func(t *testing.T) {
		status, body := postToken(t, srv, "organizations", refreshForm(powershell, rt, graphScope))
		if status != 200 || body["foci"] != "1" {
			t.Fatalf("HTTP %d %v", status, body)
		}
	})
	t.Run("app outside the family gets client_mismatch", func(t *testing.T) {
		status, body := postToken(t, srv, "organizations", refreshForm("a0a0a0a0-0000-4000-8000-000000000001", rt, graphScope))
		wantError(t, status, body, 400, "invalid_grant", 70000)
		info, _ := body["error_additional_info"].([]any)
		if body["suberror"] != "client_mismatch" || len(info) != 1 || info[0] != "client_mismatch" {
			t.Errorf("body %v", body)
		}
	})
	t.Run("unknown token", func(t *testing.T) {
		status, body := postToken(t, srv, "organizations", refreshForm(cli, "not-a-token", graphScope))
		wantError(t, status, body, 400, "invalid_grant", 9002313)
	})
	t.Run("inactivity", func(t *testing.T) {
		_, fresh := postToken(t, srv, "organizations", passwordForm(cli, "carol@contoso.example", "demo-carol", graphScope))
		srv.Advance(91 * 24 * time.Hour)
		status, body := postToken(t, srv, "organizations", refreshForm(cli, fresh["refresh_token"].(string), graphScope))
		wantError(t, status, body, 400, "invalid_grant", 700082)
	})
	t.Run("revoked", func(t *testing.T) {
		_, fresh := postToken(t, srv, "organizations", passwordForm(cli, "dave@fabrikam.example", "demo-dave", graphScope))
		if err := srv.RevokeRefreshTokens("dave@fabrikam.example"); err != nil {
			t.Fatal(err)
		}
		status, body := postToken(t, srv, "organizations", refreshForm(cli, fresh["refresh_token"].(string), graphScope))
		wantError(t, status, body, 400, "invalid_grant", 50173)
	})
}

func TestClaimsChallenge(t *testing.T) {
	srv := startTLS(t)
	_, first := postToken(t, srv, "organizations", passwordForm(cli, "alice@contoso.example", "demo-alice", graphScope))
	rt := first["refresh_token"].(string)
	claims, err := srv.RequireClaimsChallenge("alice@contoso.example", false)
	if err != nil {
		t.Fatal(err)
	}
	status, body := postToken(t, srv, "organizations", refreshForm(cli, rt, graphScope))
	wantError(t, status, body, 400, "interaction_required", 50076)
	if body["claims"] != claims {
		t.Fatalf("claims = %v, want %s", body["claims"], claims)
	}
	withClaims := refreshForm(cli, rt, graphScope)
	withClaims.Set("claims", claims)
	if status, body = postToken(t, srv, "organizations", withClaims); status != 200 {
		t.Fatalf("refresh with the claims: HTTP %d %v", status, body)
	}
	if status, _ = postToken(t, srv, "organizations", refreshForm(cli, rt, graphScope)); status != 200 {
		t.Fatalf("a satisfied challenge is cleared; got HTTP %d", status)
	}

	t.Run("client capabilities reach the token", func(t *testing.T) {
		form := refreshForm(cli, rt, graphScope)
		form.Set("claims", `{"access_token":{"xms_cc":{"values":["CP1"]}}}`)
		_, body := postToken(t, srv, "organizations", form)
		at := graphClaims(t, srv, body["access_token"].(string))
		if cc, _ := at["xms_cc"].([]any); len(cc) != 1 || cc[0] != "CP1" {
			t.Errorf("xms_cc = %v", at["xms_cc"])
		}
	})
	t.Run("interactive challenge is not met silently", func(t *testing.T) {
		claims, _ := srv.RequireClaimsChallenge("alice@contoso.example", true)
		form := refreshForm(cli, rt, graphScope)
		form.Set("claims", claims)
		status, body := postToken(t, srv, "organizations", form)
		wantError(t, status, body, 400, "interaction_required", 50076)
	})
}

func TestClientCredentials(t *testing.T) {
	srv := startTLS(t)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {ConfidentialClientID},
		"client_secret": {ConfidentialSecret}, "scope": {"https://graph.microsoft.com/.default"}}
	status, body := postToken(t, srv, ContosoTenantID, form)
	if status != 200 || body["refresh_token"] != nil || body["id_token"] != nil {
		t.Fatalf("HTTP %d %v", status, body)
	}
	if at := verifiedClaims(t, srv, body["access_token"].(string)); at["idtyp"] != "app" || at["azp"] != ConfidentialClientID {
		t.Errorf("claims %v", at)
	}

	wrong := withField(url.Values{"grant_type": {"client_credentials"}, "client_id": {ConfidentialClientID}, "scope": {"https://graph.microsoft.com/.default"}}, "client_secret", "nope")
	status, body = postToken(t, srv, ContosoTenantID, wrong)
	wantError(t, status, body, 401, "invalid_client", 7000215)

	missing := url.Values{"grant_type": {"client_credentials"}, "client_id": {ConfidentialClientID}, "scope": {"https://graph.microsoft.com/.default"}}
	status, body = postToken(t, srv, ContosoTenantID, missing)
	wantError(t, status, body, 401, "invalid_client", 7000218)

	noDefault := withField(url.Values{"grant_type": {"client_credentials"}, "client_id": {ConfidentialClientID}, "client_secret": {ConfidentialSecret}}, "scope", "https://graph.microsoft.com/User.Read")
	status, body = postToken(t, srv, ContosoTenantID, noDefault)
	wantError(t, status, body, 400, "invalid_scope", 1002012)

	basic, _ := http.NewRequest(http.MethodPost, srv.URL()+"/"+ContosoTenantID+"/oauth2/v2.0/token",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"https://graph.microsoft.com/.default"}}.Encode()))
	basic.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	basic.SetBasicAuth(ConfidentialClientID, ConfidentialSecret)
	resp, err := srv.Client().Do(basic)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("client_secret_basic: HTTP %d", resp.StatusCode)
	}
}
