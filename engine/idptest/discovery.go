package idptest

import (
	"net/http"
	"net/url"
	"strings"
)

// handleOpenIDConfiguration is GET /{tenant}/v2.0/.well-known/openid-configuration.
func (s *Server) handleOpenIDConfiguration(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	segment := r.PathValue("tenant")
	tenant, oerr := s.resolveSegmentLocked(segment)
	if oerr != nil {
		oerr.write(w, r, s.nowLocked())
		return
	}
	// Multi-tenant documents keep the segment in their endpoints and put
	// the {tenantid} placeholder in the issuer, as Entra does.
	issuerTenant := "{tenantid}"
	switch {
	case tenant != nil:
		issuerTenant = tenant.ID
		segment = tenant.ID
	case strings.EqualFold(segment, "consumers"):
		issuerTenant = ConsumersTenantID
	}
	base := s.publicBase(r) + "/" + segment
	writeJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                s.publicBase(r) + "/" + issuerTenant + "/v2.0",
		"request_uri_parameter_supported":       false,
		"userinfo_endpoint":                     s.url + "/oidc/userinfo",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"claims_supported":                      []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"},
		"kerberos_endpoint":                     base + "/kerberos",
		"tenant_region_scope":                   "EU",
		"cloud_instance_name":                   "microsoftonline.com",
		"cloud_graph_host_name":                 "graph.windows.net",
		"msgraph_host":                          "graph.microsoft.com",
		"rbac_url":                              "https://pas.windows.net",
	})
}

// cloudAliasGroups are the alias groups Entra's instance discovery
// returns for its clouds (api-version 1.1), with their preferred network
// and cache hosts: clients use them to find accounts cached under another
// name of the same cloud.
var cloudAliasGroups = []map[string]any{
	{"preferred_network": "login.microsoftonline.com", "preferred_cache": "login.windows.net",
		"aliases": []string{"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"}},
	{"preferred_network": "login.partner.microsoftonline.cn", "preferred_cache": "login.partner.microsoftonline.cn",
		"aliases": []string{"login.partner.microsoftonline.cn", "login.chinacloudapi.cn"}},
	{"preferred_network": "login.microsoftonline.de", "preferred_cache": "login.microsoftonline.de",
		"aliases": []string{"login.microsoftonline.de"}},
	{"preferred_network": "login.microsoftonline.us", "preferred_cache": "login.microsoftonline.us",
		"aliases": []string{"login.microsoftonline.us", "login.usgovcloudapi.net"}},
	{"preferred_network": "login-us.microsoftonline.com", "preferred_cache": "login-us.microsoftonline.com",
		"aliases": []string{"login-us.microsoftonline.com"}},
}

// knownCloudHost reports whether a host belongs to one of Entra's clouds.
func knownCloudHost(host string) bool {
	for _, g := range cloudAliasGroups {
		for _, a := range g["aliases"].([]string) {
			if strings.EqualFold(a, host) {
				return true
			}
		}
	}
	return false
}

// handleInstanceDiscovery is GET /common/discovery/instance (api-version
// 1.1): the metadata of every Entra cloud, as the real endpoint answers,
// plus the emulator as a cloud of its own. Hosts of neither are refused.
func (s *Server) handleInstanceDiscovery(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	tenant := "common"
	base := s.url
	if endpoint := q.Get("authorization_endpoint"); endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || u.Host == "" || (!strings.EqualFold(u.Host, s.Host()) && !knownCloudHost(u.Host)) {
			newOAuthError(http.StatusBadRequest, "invalid_instance", 50049, "Unknown or invalid instance.").write(w, r, s.nowLocked())
			return
		}
		if !strings.EqualFold(u.Host, s.Host()) {
			base = "https://" + strings.ToLower(u.Host)
		}
		if parts := strings.Split(strings.Trim(u.Path, "/"), "/"); len(parts) > 0 && parts[0] != "" {
			tenant = parts[0]
		}
	}
	host := s.Host()
	metadata := append([]map[string]any{}, cloudAliasGroups...)
	metadata = append(metadata, map[string]any{"preferred_network": host, "preferred_cache": host, "aliases": []string{host}})
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": base + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata":                  metadata,
	})
}

// handleUserRealm is GET /common/userrealm/{username}: directory domains
// are Managed, federated domains Federated (with their AD FS's metadata
// and WS-Trust addresses), other domains Unknown.
func (s *Server) handleUserRealm(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	username := r.PathValue("username")
	domain := username
	if i := strings.LastIndex(username, "@"); i >= 0 {
		domain = username[i+1:]
	}
	body := map[string]any{
		"ver":                 "1.0",
		"account_type":        "Unknown",
		"cloud_instance_name": "microsoftonline.com",
		"cloud_audience_urn":  cloudAudienceURN,
	}
	if t := s.dir.tenantForDomain(domain); t != nil && t.ID == ConsumersTenantID {
		// Personal Microsoft accounts belong to live.com's federation,
		// whose metadata offers no WS-Trust username endpoint.
		body["account_type"] = "Federated"
		body["domain_name"] = msaRealmDomain
		body["federation_protocol"] = "WSTrust"
		body["federation_metadata_url"] = s.url + "/sts/" + msaRealmDomain + "/FederationMetadata/2007-06/FederationMetadata.xml"
		body["federation_active_auth_url"] = s.url + "/sts/" + msaRealmDomain + "/rst2.srf"
	} else if t != nil {
		body["account_type"] = "Managed"
		body["domain_name"] = t.Domain
	} else if fed, _ := s.dir.federatedDomain(username); fed != nil {
		body["account_type"] = "Federated"
		body["domain_name"] = fed.Domain
		body["federation_protocol"] = "WSTrust"
		body["federation_metadata_url"] = s.adfsBase(fed.Domain) + "/mex"
		body["federation_active_auth_url"] = s.adfsBase(fed.Domain) + "/2005/usernamemixed"
		body["federation_global_version"] = -1
	}
	writeJSON(w, http.StatusOK, body)
}

// handleKeys is GET /{tenant}/discovery/v2.0/keys.
func (s *Server) handleKeys(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.key.jwks())
}
