package idptest

import (
	"crypto/subtle"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ManagedIdentity is an identity of the emulated Azure resource: the
// system-assigned one, or a user-assigned one named by any of its ids.
type ManagedIdentity struct {
	ClientID       string `json:"client_id"`
	ObjectID       string `json:"object_id,omitempty"`
	ResourceID     string `json:"resource_id,omitempty"`
	SystemAssigned bool   `json:"system_assigned,omitempty"`
	// Tenant names the tenant the identity lives in; empty means the
	// default tenant.
	Tenant string `json:"tenant,omitempty"`
	// AccessTokenSeconds overrides the token lifetime (default 3600); IMDS
	// hands out tokens good for up to a day.
	AccessTokenSeconds int `json:"access_token_seconds,omitempty"`
}

// EndpointManagedIdentity is the request-log name of the IMDS, App Service
// and Arc identity endpoints.
const EndpointManagedIdentity = "managed-identity"

// AppServiceIdentityHeader is the secret App Service puts in
// IDENTITY_HEADER; a test fixture.
const AppServiceIdentityHeader = "emulated-identity-header"

// The paths of the identity endpoints. IMDS's is its real path; App
// Service and Arc get their own, since on Azure they are other hosts.
const (
	IMDSPath       = "/metadata/identity/oauth2/token"
	AppServicePath = "/msi/token"
	ArcPath        = "/arc/metadata/identity/oauth2/token"
)

func (s *Server) managedIdentityRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+IMDSPath, s.endpoint(EndpointManagedIdentity, s.handleIMDS))
	mux.HandleFunc("GET "+AppServicePath, s.endpoint(EndpointManagedIdentity, s.handleAppService))
	mux.HandleFunc("GET "+ArcPath, s.endpoint(EndpointManagedIdentity, s.handleArc))
}

// SetArcKeyDir is where the emulated Azure Arc agent writes the challenge
// files it asks clients to read back (the agent's /var/opt/azcmagent/tokens).
func (s *Server) SetArcKeyDir(dir string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state.arcKeyDir = dir
}

// handleIMDS is the Azure Instance Metadata Service's token endpoint.
func (s *Server) handleIMDS(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Header.Get("Metadata") != "true" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "Required metadata header not specified"})
		return
	}
	s.serveIdentityLocked(w, r, "msi_res_id", false)
}

// handleAppService is App Service's (and Functions') identity endpoint.
func (s *Server) handleAppService(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-IDENTITY-HEADER")), []byte(AppServiceIdentityHeader)) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"statusCode": 401, "message": "The X-IDENTITY-HEADER header is missing or wrong."})
		return
	}
	s.serveIdentityLocked(w, r, "mi_res_id", true)
}

// handleArc is the Azure Arc agent's endpoint: a request without the
// secret gets a challenge naming a file only local users can read; the
// same request with that file's content as Basic credentials gets the
// token.
func (s *Server) handleArc(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.Header.Get("Metadata") != "true" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "error_description": "Required metadata header not specified"})
		return
	}
	if s.state.arcKeyDir == "" {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "server_error", "error_description": "the emulated Arc agent has no key directory (SetArcKeyDir)"})
		return
	}
	auth := r.Header.Get("Authorization")
	if secret, ok := strings.CutPrefix(auth, "Basic "); ok {
		name := stableGUID("arc:"+secret) + ".key"
		data, err := os.ReadFile(filepath.Join(s.state.arcKeyDir, name))
		if err == nil && subtle.ConstantTimeCompare(data, []byte(secret)) == 1 {
			os.Remove(filepath.Join(s.state.arcKeyDir, name))
			s.serveIdentityLocked(w, r, "", false)
			return
		}
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "unauthorized_client", "error_description": "The challenge secret is wrong or was used already."})
		return
	}
	secret := randomToken(32)
	path := filepath.Join(s.state.arcKeyDir, stableGUID("arc:"+secret)+".key")
	if err := os.WriteFile(path, []byte(secret), 0o600); err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]any{"error": "server_error", "error_description": "cannot write the challenge file"})
		return
	}
	w.Header().Set("WWW-Authenticate", "Basic realm="+path)
	writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "unauthorized_client", "error_description": "Read the challenge file and send its content."})
}

// serveIdentityLocked issues a token for the identity the query names.
// resourceIDParam is the source's name for a resource id; appService
// answers in App Service's shape (expires_on only, errors as statusCode and
// message).
func (s *Server) serveIdentityLocked(w http.ResponseWriter, r *http.Request, resourceIDParam string, appService bool) {
	fail := func(status int, message string) {
		if appService {
			writeJSON(w, status, map[string]any{"statusCode": status, "message": message})
			return
		}
		writeJSON(w, status, map[string]any{"error": "invalid_request", "error_description": message})
	}
	q := r.URL.Query()
	if q.Get("api-version") == "" {
		fail(http.StatusBadRequest, "Required query variable 'api-version' is missing")
		return
	}
	resource := q.Get("resource")
	if resource == "" {
		fail(http.StatusBadRequest, "Required query variable 'resource' is missing")
		return
	}
	mi := s.findIdentityLocked(q.Get("client_id"), q.Get("object_id"), q.Get(resourceIDParam))
	if mi == nil {
		// IMDS answers 400 "Identity not found" for an unknown or absent identity
		fail(http.StatusBadRequest, "Identity not found")
		return
	}
	tenant := s.defaultTenantLocked()
	if mi.Tenant != "" {
		if t := s.dir.tenant(mi.Tenant); t != nil {
			tenant = t
		}
	}
	now := s.nowLocked()
	lifetime := defaultAccessTokenLifetime
	if mi.AccessTokenSeconds > 0 {
		lifetime = time.Duration(mi.AccessTokenSeconds) * time.Second
	}
	exp := now.Add(lifetime)
	oid := mi.ObjectID
	if oid == "" {
		oid = stableGUID("mi:" + mi.ClientID)
	}
	token, err := s.key.sign(map[string]any{
		"aud": resource, "iss": s.url + "/" + tenant.ID + "/v2.0", "iat": now.Unix(), "nbf": now.Unix(), "exp": exp.Unix(),
		"tid": tenant.ID, "oid": oid, "sub": oid, "appid": mi.ClientID, "azp": mi.ClientID, "idtyp": "app",
		"xms_mirid": mi.ResourceID, "ver": "2.0", "uti": randomToken(16),
	})
	if err != nil {
		fail(http.StatusInternalServerError, err.Error())
		return
	}
	s.state.issued = append(s.state.issued, token)
	body := map[string]any{"access_token": token, "expires_on": strconv.FormatInt(exp.Unix(), 10), "resource": resource,
		"token_type": "Bearer", "client_id": mi.ClientID}
	if !appService {
		secs := int(lifetime.Seconds())
		body["expires_in"], body["ext_expires_in"], body["not_before"] = strconv.Itoa(secs), strconv.Itoa(secs), strconv.FormatInt(now.Unix(), 10)
	}
	writeJSONNoStore(w, http.StatusOK, body)
}

// findIdentityLocked picks the identity a request names; none named means
// the system-assigned identity, or the only user-assigned one when there is
// no system-assigned identity (as Azure VMs do).
func (s *Server) findIdentityLocked(clientID, objectID, resourceID string) *ManagedIdentity {
	all := s.dir.ManagedIdentities
	for _, mi := range all {
		switch {
		case clientID != "" && strings.EqualFold(mi.ClientID, clientID),
			objectID != "" && strings.EqualFold(mi.ObjectID, objectID),
			resourceID != "" && strings.EqualFold(mi.ResourceID, resourceID):
			return mi
		}
	}
	if clientID != "" || objectID != "" || resourceID != "" {
		return nil
	}
	for _, mi := range all {
		if mi.SystemAssigned {
			return mi
		}
	}
	if len(all) == 1 {
		return all[0]
	}
	return nil
}
