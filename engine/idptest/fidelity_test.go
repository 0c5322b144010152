package idptest

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestAccessTokenShapes: Microsoft's APIs get v1 tokens (Graph's with a
// header nonce), an app's own API a v2 token, personal accounts an opaque
// string, as Entra issues them.
func TestAccessTokenShapes(t *testing.T) {
	dir := DefaultDirectory()
	dir.Tenants = append(dir.Tenants, &Tenant{Name: "msa", ID: ConsumersTenantID, Domain: "outlook.example",
		Users: []*User{{Username: "pat@outlook.example", Password: "demo-pat"}}})
	srv := Start(t, Options{TLS: true, Directory: dir})

	t.Run("ARM is v1", func(t *testing.T) {
		status, body := postToken(t, srv, ContosoTenantID, passwordForm(cli, "alice@contoso.example", "demo-alice", "https://management.core.windows.net//.default openid profile offline_access"))
		if status != http.StatusOK {
			t.Fatalf("HTTP %d %v", status, body)
		}
		at := verifiedClaims(t, srv, body["access_token"].(string))
		want := map[string]any{
			"aud": "https://management.core.windows.net/", "iss": "https://sts.windows.net/" + ContosoTenantID + "/",
			"ver": "1.0", "appid": cli, "upn": "alice@contoso.example", "unique_name": "alice@contoso.example",
			"scp": "user_impersonation", "idtyp": "user",
		}
		for k, v := range want {
			if at[k] != v {
				t.Errorf("%s = %v, want %v", k, at[k], v)
			}
		}
		for _, v2only := range []string{"azp", "preferred_username"} {
			if _, ok := at[v2only]; ok {
				t.Errorf("v1 token carries the v2 claim %s", v2only)
			}
		}
		// Entra answers .default with the permission it stands for.
		if got := body["scope"]; got != "https://management.core.windows.net//user_impersonation https://management.core.windows.net//.default" {
			t.Errorf("scope = %v", got)
		}
	})
	t.Run("Key Vault and Azure DevOps are v1", func(t *testing.T) {
		for _, scope := range []string{"https://vault.azure.net/.default", "499b84ac-1321-427f-aa17-267ca6975798/.default"} {
			_, body := postToken(t, srv, ContosoTenantID, passwordForm(cli, "alice@contoso.example", "demo-alice", scope+" openid"))
			at := verifiedClaims(t, srv, body["access_token"].(string))
			if at["ver"] != "1.0" || at["appid"] != cli {
				t.Errorf("%s: ver %v appid %v", scope, at["ver"], at["appid"])
			}
		}
	})
	t.Run("an app's own API is v2", func(t *testing.T) {
		_, body := postToken(t, srv, ContosoTenantID, passwordForm(cli, "alice@contoso.example", "demo-alice", "api://contoso-api/Orders.Read openid"))
		at := verifiedClaims(t, srv, body["access_token"].(string))
		if at["ver"] != "2.0" || at["azp"] != cli || at["iss"] != srv.URL()+"/"+ContosoTenantID+"/v2.0" {
			t.Errorf("claims %v", at)
		}
		if body["scope"] != "api://contoso-api/Orders.Read" {
			t.Errorf("scope = %v, want the request's", body["scope"])
		}
	})
	t.Run("Graph is v1 with a nonce and answers with consented scopes", func(t *testing.T) {
		_, body := postToken(t, srv, ContosoTenantID, passwordForm(cli, "alice@contoso.example", "demo-alice", "Mail.Read openid profile offline_access"))
		at := graphClaims(t, srv, body["access_token"].(string))
		// Named by bare permissions, Graph is its app id in aud.
		if at["ver"] != "1.0" || at["scp"] != "Mail.Read User.Read email openid profile" || at["aud"] != graphAppID {
			t.Errorf("ver %v scp %v aud %v", at["ver"], at["scp"], at["aud"])
		}
		if got := body["scope"]; got != "openid profile email https://graph.microsoft.com/Mail.Read https://graph.microsoft.com/User.Read" {
			t.Errorf("scope = %v", got)
		}
	})
	t.Run("personal accounts get opaque tokens", func(t *testing.T) {
		// Personal accounts sign in in the browser: they never take the
		// password grant.
		status, body := postToken(t, srv, "consumers", passwordForm(cli, "pat@outlook.example", "demo-pat", "User.Read openid profile offline_access"))
		wantError(t, status, body, http.StatusBadRequest, "invalid_grant", 50126)
		resp := signIn(t, srv, srv.URL()+"/consumers/oauth2/v2.0/authorize?"+url.Values{"client_id": {cli}, "response_type": {"code"},
			"redirect_uri": {"http://localhost:8400"}, "scope": {"User.Read openid profile offline_access"}}.Encode(), "pat@outlook.example", "demo-pat")
		status, body = postToken(t, srv, "consumers", url.Values{"grant_type": {"authorization_code"}, "client_id": {cli},
			"code": {resp.Params.Get("code")}, "redirect_uri": {"http://localhost:8400"}, "scope": {"User.Read openid profile offline_access"}})
		if status != http.StatusOK {
			t.Fatalf("HTTP %d %v", status, body)
		}
		at, _ := body["access_token"].(string)
		if strings.Count(at, ".") != 0 || !strings.HasPrefix(at, "EwB") {
			t.Errorf("MSA access token %.12q… is not opaque", at)
		}
		if idt := verifiedClaims(t, srv, body["id_token"].(string)); idt["tid"] != ConsumersTenantID {
			t.Errorf("id_token tid %v", idt["tid"])
		}
		// User realm discovery puts them in live.com's federation, whose
		// metadata has no WS-Trust username endpoint.
		_, realm := call(t, srv, http.MethodGet, "/common/userrealm/pat@outlook.example?api-version=1.0", nil)
		if realm["account_type"] != "Federated" || realm["domain_name"] != "live.com" {
			t.Errorf("user realm for a personal account: %v", realm)
		}
		r, err := srv.Client().Get(realm["federation_metadata_url"].(string))
		if err != nil {
			t.Fatal(err)
		}
		doc, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != http.StatusOK || !strings.Contains(string(doc), "EntityDescriptor") || strings.Contains(string(doc), "usernamemixed") {
			t.Errorf("live.com metadata: HTTP %d %.200s", r.StatusCode, doc)
		}
	})
}

// TestRedirectAndIDTokenExtras: client_info on the redirect and auth_time
// in the id_token appear only when asked for, as with Entra.
func TestRedirectAndIDTokenExtras(t *testing.T) {
	srv := startTLS(t)
	redeem := func(resp *AuthResponse) map[string]any {
		t.Helper()
		status, body := postToken(t, srv, "organizations", url.Values{"grant_type": {"authorization_code"}, "client_id": {cli},
			"code": {resp.Params.Get("code")}, "redirect_uri": {"http://localhost:8400"}, "scope": {graphScope}})
		if status != http.StatusOK {
			t.Fatalf("HTTP %d %v", status, body)
		}
		return verifiedClaims(t, srv, body["id_token"].(string))
	}
	plain := signIn(t, srv, authorizeURL(srv, "organizations", url.Values{"prompt": {"login"}}), "alice@contoso.example", "demo-alice")
	if plain.Params.Has("client_info") {
		t.Errorf("redirect carries client_info though the request did not ask for it")
	}
	if idt := redeem(plain); idt["auth_time"] != nil {
		t.Errorf("id_token has auth_time %v without max_age", idt["auth_time"])
	}
	asked := signIn(t, srv, authorizeURL(srv, "organizations", url.Values{"client_info": {"1"}, "max_age": {"3600"}, "prompt": {"login"}}), "alice@contoso.example", "demo-alice")
	if !asked.Params.Has("client_info") {
		t.Errorf("redirect lacks client_info though the request asked for it")
	}
	if idt := redeem(asked); idt["auth_time"] == nil {
		t.Errorf("id_token lacks auth_time though max_age was sent")
	}
}

// TestCodeRedeemedBeforeTheConnectionDropped: the server acted on the
// first request, so sending it again fails with AADSTS54005.
func TestCodeRedeemedBeforeTheConnectionDropped(t *testing.T) {
	srv := startTLS(t)
	resp := signIn(t, srv, authorizeURL(srv, "organizations", nil), "alice@contoso.example", "demo-alice")
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {cli},
		"code": {resp.Params.Get("code")}, "redirect_uri": {"http://localhost:8400"}, "scope": {graphScope}}
	if err := srv.InjectFault(Fault{Endpoint: EndpointToken, Kind: FaultDropAfter}); err != nil {
		t.Fatal(err)
	}
	if r, err := srv.Client().PostForm(srv.URL()+"/organizations/oauth2/v2.0/token", form); err == nil {
		r.Body.Close()
		t.Fatalf("the dropped answer arrived: HTTP %d", r.StatusCode)
	}
	status, body := postToken(t, srv, "organizations", form)
	wantError(t, status, body, http.StatusBadRequest, "invalid_grant", 54005)
}
