package idptest

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
)

const graphResource = "https://graph.microsoft.com"

// reservedScopes are the OpenID Connect scopes that shape the response
// rather than name a resource.
var reservedScopes = map[string]bool{"openid": true, "profile": true, "offline_access": true, "email": true}

// scopeRequest is a parsed scope parameter: the OIDC scopes and the one
// resource the access token is for, with the permissions asked of it.
type scopeRequest struct {
	openid        bool
	offlineAccess bool
	resource      string   // audience of the access token
	permissions   []string // scp values
	resourceScope []string // the scopes as sent, for the response's scope field
	// byAppID: Graph was named only by bare permissions (User.Read) or not
	// at all, so its token's audience is Graph's application id, as
	// Entra issues it, rather than its URL.
	byAppID bool
}

// graphAppID is Microsoft Graph's application id.
const graphAppID = "00000003-0000-0000-c000-000000000000"

// audience is the access token's aud claim.
func (r scopeRequest) audience() string {
	if r.byAppID {
		return graphAppID
	}
	return r.resource
}

// parseScopes validates a scope parameter as Entra does: at most one
// resource per request, every scope either reserved, a bare Graph
// permission, or resource/permission.
func parseScopes(raw string) (scopeRequest, *oauthError) {
	var req scopeRequest
	seen := map[string]bool{}
	bare := true
	for _, scope := range strings.Fields(raw) {
		lower := strings.ToLower(scope)
		if seen[lower] {
			continue
		}
		seen[lower] = true
		if reservedScopes[lower] {
			req.openid = req.openid || lower == "openid"
			req.offlineAccess = req.offlineAccess || lower == "offline_access"
			continue
		}
		resource, permission, err := splitScope(scope)
		if err != nil {
			return req, errInvalidScope(70011, fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope %s is not valid.", scope))
		}
		if req.resource != "" && !strings.EqualFold(req.resource, resource) {
			return req, errInvalidScope(28000, fmt.Sprintf("Provided value for the input parameter scope is not valid because it contains more than one resource. Scope %s is not valid.", raw))
		}
		bare = bare && !strings.Contains(scope, "/")
		req.resource = resource
		req.permissions = append(req.permissions, permission)
		req.resourceScope = append(req.resourceScope, scope)
	}
	if req.resource == "" {
		// Only OIDC scopes: Entra issues a Graph token for the user's profile.
		req.resource = graphResource
		req.permissions = []string{"User.Read"}
		req.resourceScope = []string{graphResource + "/User.Read"}
	}
	req.byAppID = bare && req.resource == graphResource
	return req, nil
}

// splitScope splits resource/permission; a bare word is a Graph permission.
func splitScope(scope string) (resource, permission string, err error) {
	if strings.ContainsAny(scope, "<>\"'{}\\") {
		return "", "", fmt.Errorf("bad characters")
	}
	i := strings.LastIndex(scope, "/")
	if i < 0 {
		if !isPermissionName(scope) {
			return "", "", fmt.Errorf("not a permission")
		}
		return graphResource, scope, nil
	}
	resource, permission = scope[:i], scope[i+1:]
	if permission == "" || !isPermissionName(permission) {
		return "", "", fmt.Errorf("no permission")
	}
	if strings.Contains(resource, "://") {
		u, err := url.Parse(resource)
		if err != nil || u.Host == "" {
			return "", "", fmt.Errorf("bad resource")
		}
	} else if !isPermissionName(resource) { // an application id GUID
		return "", "", fmt.Errorf("bad resource")
	}
	return resource, permission, nil
}

func isPermissionName(s string) bool {
	if s == "" || strings.EqualFold(s, "invalid") {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
		default:
			return false
		}
	}
	return true
}

// graphConsented are the Graph permissions the user consented to for the
// app: the app's configured list, or User.Read.
func graphConsented(app *App) []string {
	if app != nil && len(app.GraphPermissions) > 0 {
		return app.GraphPermissions
	}
	return []string{"User.Read"}
}

// scp is the access token's scp claim. Graph tokens carry every consented
// permission and the OpenID scopes, as Entra's do.
func (r scopeRequest) scp(app *App) string {
	seen := map[string]bool{}
	var perms []string
	add := func(p string) {
		if !seen[strings.ToLower(p)] {
			seen[strings.ToLower(p)] = true
			perms = append(perms, p)
		}
	}
	graph := isGraph(r.resource)
	for _, p := range r.permissions {
		switch {
		case p == ".default" && graph:
		case p == ".default":
			add("user_impersonation")
		default:
			add(p)
		}
	}
	if graph {
		for _, p := range graphConsented(app) {
			add(p)
		}
		for _, p := range []string{"openid", "profile", "email"} {
			add(p)
		}
	}
	sort.Strings(perms)
	return strings.Join(perms, " ")
}

// responseScope is the response's scope field, which MSAL stores as the
// cache entry's target. It is not the request echoed: Graph answers with
// the OpenID scopes and every consented permission; Microsoft's other APIs
// answer .default with user_impersonation beside it.
func (r scopeRequest) responseScope(app *App) string {
	if isGraph(r.resource) {
		out := []string{"openid", "profile", "email"}
		seen := map[string]bool{}
		base := strings.TrimRight(r.resource, "/")
		add := func(p string) {
			if !seen[strings.ToLower(p)] {
				seen[strings.ToLower(p)] = true
				out = append(out, base+"/"+p)
			}
		}
		hasDefault := false
		for _, p := range r.permissions {
			if p == ".default" {
				hasDefault = true
				continue
			}
			add(p)
		}
		for _, p := range graphConsented(app) {
			add(p)
		}
		if hasDefault {
			out = append(out, base+"/.default")
		}
		return strings.Join(out, " ")
	}
	if isV1Resource(r.resource) {
		var out []string
		for i, p := range r.permissions {
			if p == ".default" {
				out = append(out, r.resource+"/user_impersonation")
			}
			out = append(out, r.resourceScope[i])
		}
		return strings.Join(out, " ")
	}
	return strings.Join(r.resourceScope, " ")
}
