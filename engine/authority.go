package engine

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// DefaultAuthority is used when Config.Authority is empty.
const DefaultAuthority = "https://login.microsoftonline.com/common"

// Authority is a parsed authority URL: https://{host}/{tenant} and the
// other shapes kinds.go describes.
type Authority struct {
	// Kind is the type of identity provider; the zero value is Entra ID.
	Kind AuthorityKind
	// Issuer is a generic OpenID Connect provider's issuer as configured
	// (no trailing slash); empty for the Microsoft kinds.
	Issuer string
	// Policy is a B2C authority's user flow or custom policy, kept in
	// every request's address.
	Policy string
	// Scheme is https, or http for a loopback test server.
	Scheme string
	// Host is the host with any port, as requests need it.
	Host string
	// Environment is the host without the port: the cache's environment
	// field, as MSAL Python records it.
	Environment string
	// Tenant is the path segment: a GUID, a domain, common,
	// organizations or consumers.
	Tenant string
}

// ParseAuthority validates an authority URL. It requires https, except on
// loopback hosts (a local emulator), and a tenant segment.
func ParseAuthority(raw string) (Authority, error) {
	if raw == "" {
		raw = DefaultAuthority
	}
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return Authority{}, fmt.Errorf("engine: authority %q: %w", raw, err)
	}
	if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return Authority{}, fmt.Errorf("engine: authority %q: want https://host/tenant", raw)
	}
	a := Authority{Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(u.Host), Environment: strings.ToLower(u.Hostname())}
	switch {
	case a.Scheme == "https":
	case a.Scheme == "http" && isLoopbackHost(a.Environment):
	default:
		return Authority{}, fmt.Errorf("engine: authority %q: https is required (plain http only on loopback)", raw)
	}
	if err := checkAuthorityPath(raw, u); err != nil {
		return Authority{}, err
	}
	segments := strings.Split(strings.Trim(u.Path, "/"), "/")
	if kind := microsoftKind(a.Environment, segments); kind != KindEntra {
		return parseMicrosoftKind(raw, a, kind, segments)
	}
	if segments[0] == "" {
		return Authority{}, fmt.Errorf("engine: authority %q: no tenant (want https://host/{tenant|common|organizations|consumers})", raw)
	}
	if len(segments) > 1 {
		// Accept an authority copied with /v2.0 or /oauth2/... on the end.
		switch segments[1] {
		case "v2.0", "oauth2":
		default:
			return Authority{}, fmt.Errorf("engine: authority %q: unexpected path after the tenant", raw)
		}
	}
	// Tenants are case-insensitive; the token endpoint names GUIDs and the
	// well-known tenants in lower case, and the cache's realm must match.
	a.Tenant = strings.ToLower(segments[0])
	if !isTenantName(a.Tenant) {
		return Authority{}, fmt.Errorf("engine: authority %q: the tenant must be a GUID, a domain, common, organizations or consumers", raw)
	}
	return a, nil
}

// checkAuthorityPath refuses paths that could name another place than
// they seem to once a server or proxy normalises them: dot segments ("..",
// "."), percent-encoding of any kind (an encoded dot or slash such as
// %2e%2e or %2f) and backslashes. A real authority needs none of them.
func checkAuthorityPath(raw string, u *url.URL) error {
	if strings.Contains(u.RawPath, "%") || strings.Contains(u.Path, "%") || strings.Contains(u.EscapedPath(), "%") {
		return fmt.Errorf("engine: authority %q: percent-encoded characters (such as an encoded dot or slash) are not allowed in an authority", raw)
	}
	if strings.Contains(u.Path, "\\") {
		return fmt.Errorf("engine: authority %q: backslashes are not allowed in an authority", raw)
	}
	for _, segment := range strings.Split(u.Path, "/") {
		if segment == "." || segment == ".." {
			return fmt.Errorf("engine: authority %q: dot segments (. or ..) are not allowed in an authority", raw)
		}
	}
	return nil
}

// isTenantName accepts what a tenant segment can be: a GUID or a domain
// name. Anything else (escapes, control characters) is refused rather
// than sent on.
func isTenantName(s string) bool {
	if len(s) > 253 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

// String is the canonical authority URL: the issuer of a generic OpenID
// Connect provider, the tenant and policy of a B2C one.
func (a Authority) String() string {
	switch {
	case a.Kind == KindOIDC:
		return a.Issuer
	case a.Policy != "":
		return a.Scheme + "://" + a.Host + "/" + a.Tenant + "/" + a.Policy
	}
	return a.Scheme + "://" + a.Host + "/" + a.Tenant
}

// IsMultiTenant reports whether the tenant is common, organizations or
// consumers rather than one directory.
func (a Authority) IsMultiTenant() bool {
	switch strings.ToLower(a.Tenant) {
	case "common", "organizations", "consumers":
		return true
	}
	return false
}

// WithTenant returns the same cloud with another tenant.
func (a Authority) WithTenant(tenant string) Authority {
	if a.Kind == KindOIDC || a.Kind == KindADFS {
		return a // one issuer, no tenants
	}
	a.Tenant = tenant
	return a
}

// isGUID reports whether a tenant is a directory id rather than a domain.
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case r >= '0' && r <= '9', r >= 'a' && r <= 'f', r >= 'A' && r <= 'F':
		default:
			return false
		}
	}
	return true
}

// knownAliases returns the built-in aliases of a known cloud host, or nil.
func knownAliases(environment string) []string {
	if c, ok := CloudOf(Authority{Environment: environment}); ok {
		return c.Hosts
	}
	return nil
}

// isKnownHost reports whether the host is a Microsoft cloud this engine
// trusts without instance discovery.
func isKnownHost(environment string) bool { return knownAliases(environment) != nil }

func isLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
