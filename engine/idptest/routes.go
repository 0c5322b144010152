package idptest

import (
	"fmt"
	"html"
	"net/http"
)

// routes lays out login.microsoftonline.com's paths.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.endpoint(EndpointOpenIDConfiguration, s.handleOpenIDConfiguration))
	mux.HandleFunc("GET /common/discovery/instance", s.endpoint(EndpointInstanceDiscovery, s.handleInstanceDiscovery))
	mux.HandleFunc("GET /common/userrealm/{username}", s.endpoint(EndpointUserRealm, s.handleUserRealm))
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", s.endpoint(EndpointKeys, s.handleKeys))
	mux.HandleFunc("GET /{tenant}/oauth2/v2.0/authorize", s.endpoint(EndpointAuthorize, s.handleAuthorize))
	mux.HandleFunc("POST /{tenant}/login", s.endpoint(EndpointLogin, s.handleLogin))
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.endpoint(EndpointToken, s.handleToken))
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/devicecode", s.endpoint(EndpointDeviceCode, s.handleDeviceCode))
	mux.HandleFunc("GET /devicelogin", s.endpoint(EndpointDeviceLogin, s.handleDeviceLoginPage))
	mux.HandleFunc("POST /devicelogin", s.endpoint(EndpointDeviceLogin, s.handleDeviceLoginSubmit))
	mux.HandleFunc("GET /sts/{domain}/adfs/services/trust/mex", s.endpoint(EndpointMex, s.handleMex))
	mux.HandleFunc("GET /sts/live.com/FederationMetadata/2007-06/FederationMetadata.xml", s.endpoint(EndpointMex, s.handleMSAFederationMetadata))
	mux.HandleFunc("POST /sts/{domain}/adfs/services/trust/{version}/usernamemixed", s.endpoint(EndpointWSTrust, s.handleWSTrust))
	mux.HandleFunc("GET /sts/{domain}/adfs/ls/{$}", s.endpoint(EndpointADFSSignIn, s.handleADFSSignInPage))
	mux.HandleFunc("POST /sts/{domain}/adfs/ls/{$}", s.endpoint(EndpointADFSSignIn, s.handleADFSSignIn))
	s.kindRoutes(mux) // B2C, AD FS and generic OpenID Connect shapes
	mux.HandleFunc("GET /{$}", s.handleIndex)
	s.adminRoutes(mux)
	s.managedIdentityRoutes(mux)
	return mux
}

// handleIndex tells a person who opens the base URL what this is.
func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!DOCTYPE html><title>acctui identity emulator</title><h1>acctui identity emulator</h1><p>A local test server that speaks the Microsoft identity platform protocol. Tenants:</p><ul>")
	for _, t := range s.dir.Tenants {
		fmt.Fprintf(w, "<li>%s: %s/%s</li>", html.EscapeString(t.Domain), html.EscapeString(s.url), html.EscapeString(t.ID))
	}
	fmt.Fprintf(w, "</ul><p>Device sign-in: <a href=\"/devicelogin\">/devicelogin</a></p>")
}
