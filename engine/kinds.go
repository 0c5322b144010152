package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"

	"acctui/engine/cache"
)

// AuthorityKind is the type of identity provider an authority names. Each
// kind has its own discovery address, request shape and cache keys, as
// MSAL Python gives them.
type AuthorityKind string

// The authority kinds.
const (
	// KindEntra is https://{host}/{tenant} on a Microsoft cloud.
	KindEntra AuthorityKind = ""
	// KindB2C is https://{tenant}.b2clogin.com/{tenant}.onmicrosoft.com/{policy}
	// or a custom domain with a B2C_ policy.
	KindB2C AuthorityKind = "B2C"
	// KindCIAM is Entra External ID: https://{tenant}.ciamlogin.com/[tenant].
	KindCIAM AuthorityKind = "CIAM"
	// KindADFS is https://{host}/adfs.
	KindADFS AuthorityKind = "ADFS"
	// KindOIDC is any OpenID Connect provider named by its issuer.
	KindOIDC AuthorityKind = "OIDC"
)

// AuthorityForms describes every accepted authority, for help and errors.
const AuthorityForms = "https://login.microsoftonline.com/{tenant|common|organizations|consumers} (or a sovereign cloud's host), " +
	"https://{tenant}.b2clogin.com/{tenant}.onmicrosoft.com/{policy} (B2C), https://{tenant}.ciamlogin.com/[tenant] (External ID), " +
	"https://{host}/adfs (AD FS); any other OpenID Connect provider with --oidc-authority ISSUER"

// b2cHostSuffixes are the B2C sign-in domains MSAL Python recognises.
var b2cHostSuffixes = []string{".b2clogin.com", ".b2clogin.cn", ".b2clogin.us", ".b2clogin.de"}

// microsoftKind tells the Microsoft authority kinds apart by host and path,
// as MSAL Python does: a b2clogin host or a B2C_ policy segment is B2C, a
// ciamlogin host is CIAM, a first segment "adfs" is AD FS.
func microsoftKind(host string, segments []string) AuthorityKind {
	switch {
	case strings.HasSuffix(host, ".ciamlogin.com"):
		return KindCIAM
	case hasAnySuffix(host, b2cHostSuffixes):
		return KindB2C
	case len(segments) >= 2 && strings.HasPrefix(strings.ToLower(segments[1]), "b2c_"):
		return KindB2C
	case strings.EqualFold(segments[0], "adfs"):
		return KindADFS
	}
	return KindEntra
}

func hasAnySuffix(s string, suffixes []string) bool {
	for _, suffix := range suffixes {
		if strings.HasSuffix(s, suffix) {
			return true
		}
	}
	return false
}

// parseMicrosoftKind finishes parsing a B2C, CIAM or AD FS authority.
func parseMicrosoftKind(raw string, a Authority, kind AuthorityKind, segments []string) (Authority, error) {
	a.Kind = kind
	for _, s := range segments {
		if s != "" && !isTenantName(s) {
			return Authority{}, fmt.Errorf("engine: authority %q: unexpected characters in the path", raw)
		}
	}
	switch kind {
	case KindB2C:
		if len(segments) != 2 || segments[0] == "" {
			return Authority{}, fmt.Errorf("engine: authority %q: a B2C authority is https://{tenant}.b2clogin.com/{tenant}.onmicrosoft.com/{policy}", raw)
		}
		a.Tenant, a.Policy = strings.ToLower(segments[0]), segments[1]
	case KindCIAM:
		switch {
		case segments[0] == "":
			// MSAL Python: a path-less CIAM authority's tenant is the
			// subdomain's onmicrosoft.com directory.
			a.Tenant = strings.TrimSuffix(a.Environment, ".ciamlogin.com") + ".onmicrosoft.com"
		case len(segments) == 1:
			a.Tenant = strings.ToLower(segments[0])
		default:
			return Authority{}, fmt.Errorf("engine: authority %q: a CIAM authority is https://{tenant}.ciamlogin.com/ or https://{tenant}.ciamlogin.com/{tenant}", raw)
		}
	case KindADFS:
		if len(segments) != 1 {
			return Authority{}, fmt.Errorf("engine: authority %q: an AD FS authority is https://{host}/adfs", raw)
		}
		a.Tenant = "adfs"
		// AD FS has no client_info: its accounts are keyed by host with
		// the port, so two servers on one machine stay apart.
		a.Environment = a.Host
	}
	return a, nil
}

// ParseOIDCAuthority validates a generic OpenID Connect issuer: https, or
// http on a loopback host; no query, fragment or user info.
func ParseOIDCAuthority(raw string) (Authority, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return Authority{}, fmt.Errorf("engine: OpenID Connect issuer %q: want https://host[/path] with no query or fragment", raw)
	}
	a := Authority{Kind: KindOIDC, Scheme: strings.ToLower(u.Scheme), Host: strings.ToLower(u.Host)}
	a.Environment = a.Host // no client_info: keep the port in the cache's environment
	switch {
	case a.Scheme == "https":
	case a.Scheme == "http" && isLoopbackHost(strings.ToLower(u.Hostname())):
	default:
		return Authority{}, fmt.Errorf("engine: OpenID Connect issuer %q: https is required (plain http only on loopback)", raw)
	}
	if err := checkAuthorityPath(raw, u); err != nil {
		return Authority{}, err
	}
	a.Issuer = a.Scheme + "://" + a.Host + strings.TrimRight(u.Path, "/")
	return a, nil
}

// discoveryURL is where the authority's OpenID configuration lives: under
// /v2.0 for Entra, B2C and CIAM, directly under the authority for AD FS
// and generic providers.
func (a Authority) discoveryURL() string {
	switch a.Kind {
	case KindOIDC:
		return a.Issuer + "/.well-known/openid-configuration"
	case KindADFS:
		return a.String() + "/.well-known/openid-configuration"
	}
	return a.String() + "/v2.0/.well-known/openid-configuration"
}

// usesInstanceDiscovery reports whether the kind is ever checked with a
// cloud's instance discovery; B2C, CIAM, AD FS and generic providers never
// are (MSAL Python treats them as known to the developer).
func (a Authority) usesInstanceDiscovery() bool { return a.Kind == KindEntra }

// isMicrosoft reports whether the authority is a Microsoft service that
// understands the Entra-only parameters (client_info, claims with client
// capabilities, x-client-* headers, X-AnchorMailbox, select_account).
func (a Authority) isMicrosoft() bool { return a.Kind != KindOIDC }

// Label names the kind for people: empty for plain Entra ID.
func (a Authority) Label() string {
	switch a.Kind {
	case KindB2C:
		return "B2C"
	case KindCIAM:
		return "External ID"
	case KindADFS:
		return "AD FS"
	case KindOIDC:
		return "OpenID Connect"
	}
	return ""
}

// capabilities are the client capabilities declared to the authority:
// none to a generic provider, for which CP1 means nothing.
func (c *Client) capabilities(a Authority) []string {
	if !a.isMicrosoft() {
		return nil
	}
	return c.cfg.ClientCapabilities
}

// missingEndpointError says which flow the provider's discovery document
// leaves out and why.
func missingEndpointError(a Authority, endpoint, flow string) error {
	return fmt.Errorf("engine: %s offers no %s sign-in: its discovery document has no %s", a, flow, endpoint)
}

// audienceIncludes reports whether an ID token's aud (a string or an
// array of strings, RFC 7519 §4.1.3) names the client.
func audienceIncludes(aud any, clientID string) bool {
	switch v := aud.(type) {
	case string:
		return v == clientID
	case []any:
		for _, item := range v {
			if s, ok := item.(string); ok && s == clientID {
				return true
			}
		}
	}
	return false
}

// oidcHomeAccountID is a generic provider's home account id: the ID
// token's sub and a tag of the issuer, "<sub>.<tag>" like Entra's
// "<uid>.<utid>", so the same sub at two issuers (even on one host) makes
// two accounts and one's refresh token is never sent to the other.
func oidcHomeAccountID(issuer, sub string) string {
	return sub + "." + issuerTag(issuer)
}

// issuerTag is the first 16 hex digits of the issuer's SHA-256: short,
// stable, free of the characters cache keys use as separators.
func issuerTag(issuer string) string {
	sum := sha256.Sum256([]byte(issuer))
	return hex.EncodeToString(sum[:8])
}

// Owns reports whether an account entry is the authority's: for a
// generic provider, its home account id must carry the issuer's tag.
func (a Authority) Owns(homeAccountID string) bool {
	if a.Kind != KindOIDC {
		return true
	}
	return strings.HasSuffix(strings.ToLower(homeAccountID), "."+issuerTag(a.Issuer))
}

// authorityType is the cache's authority_type of the kind's accounts, as
// MSAL Python writes it.
func authorityType(a Authority) string {
	if a.Kind == KindADFS {
		return cache.AuthorityTypeADFS
	}
	return cache.AuthorityTypeMSSTS
}

// checkGrantOffered refuses a grant a generic provider's discovery
// document leaves out of grant_types_supported (when it lists any), with
// a line naming the provider and the grant, before a password is sent.
func (c *Client) checkGrantOffered(ctx context.Context, a Authority, grant string) error {
	if a.Kind != KindOIDC {
		return nil
	}
	meta, err := c.endpoints(ctx, a)
	if err != nil {
		return err
	}
	if len(meta.GrantTypes) == 0 || hasString(meta.GrantTypes, grant) {
		return nil
	}
	return fmt.Errorf("engine: %s offers no %s sign-in: its discovery document's grant_types_supported has no %q", a, grant, grant)
}

// genericProvider is the issuer to name in a refusal from a generic
// provider; "" for Microsoft authorities.
func genericProvider(a Authority) string {
	if a.Kind == KindOIDC {
		return a.Issuer
	}
	return ""
}
