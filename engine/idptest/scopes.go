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
}

// parseScopes validates a scope parameter as Entra does: at most one
// resource per request, every scope either reserved, a bare Graph
// permission, or resource/permission.
func parseScopes(raw string) (scopeRequest, *oauthError) {
	var req scopeRequest
	seen := map[string]bool{}
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

// scp is the access token's scp claim.
func (r scopeRequest) scp() string {
	perms := make([]string, 0, len(r.permissions))
	for _, p := range r.permissions {
		if p == ".default" {
			p = "user_impersonation"
			if r.resource == graphResource {
				p = "User.Read"
			}
		}
		perms = append(perms, p)
	}
	sort.Strings(perms)
	return strings.Join(perms, " ")
}

// responseScope is the response's scope field: what the token is good for,
// which MSAL stores as the cache entry's target.
func (r scopeRequest) responseScope() string {
	return strings.Join(r.resourceScope, " ")
}
