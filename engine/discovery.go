package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"acctui/engine/cache"
)

// metadataLifetime is how long discovery answers are trusted, as MSAL
// Python's http cache keeps them.
const metadataLifetime = 24 * time.Hour

// oidcMetadata is the part of the OpenID configuration the flows need.
type oidcMetadata struct {
	AuthorizationEndpoint string `json:"authorization_endpoint"`
	TokenEndpoint         string `json:"token_endpoint"`
	DeviceCodeEndpoint    string `json:"device_authorization_endpoint"`
	Issuer                string `json:"issuer"`
	JWKSURI               string `json:"jwks_uri"`
	// GrantTypes is grant_types_supported, when the document lists it.
	GrantTypes []string `json:"grant_types_supported,omitempty"`
}

// instanceMetadata is what instance discovery says of a host.
type instanceMetadata struct {
	Aliases []string `json:"aliases"`
}

func oidcKey(a Authority) string        { return "oidc|" + strings.ToLower(a.String()) }
func instanceKey(a Authority) string    { return "instance|" + a.Host }
func (c *Client) nowUnix() int64        { return c.now().Unix() }
func (c *Client) metadataExpiry() int64 { return c.now().Add(metadataLifetime).Unix() }

// endpoints returns the authority's endpoints: from memory, then from the
// cache's metadata section, and only then from the network (instance
// discovery when needed, then the OpenID configuration), saving the answer
// so the next process starts warm.
func (c *Client) endpoints(ctx context.Context, a Authority) (*oidcMetadata, error) {
	key := oidcKey(a)
	c.mu.Lock()
	m := c.metadata[key]
	c.mu.Unlock()
	if m != nil {
		return m, nil
	}
	var cached oidcMetadata
	found := false
	err := c.store.Read(ctx, CacheHint{Shared: true}, func(cc *cache.Cache) error {
		raw, ok := cc.Metadata(key, c.nowUnix())
		if ok && json.Unmarshal(raw, &cached) == nil && cached.TokenEndpoint != "" {
			found = true
		}
		if aliases, ok := cc.Metadata(instanceKey(a), c.nowUnix()); ok {
			var im instanceMetadata
			if json.Unmarshal(aliases, &im) == nil && len(im.Aliases) > 0 {
				c.mu.Lock()
				c.aliases[a.Environment] = hostsWithoutPorts(im.Aliases)
				c.mu.Unlock()
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("engine: read cache: %w", err)
	}
	if found {
		c.mu.Lock()
		c.metadata[key] = &cached
		c.mu.Unlock()
		return &cached, nil
	}
	return c.discover(ctx, a)
}

func (c *Client) discover(ctx context.Context, a Authority) (*oidcMetadata, error) {
	var aliases []string
	if a.usesInstanceDiscovery() && !isKnownHost(a.Environment) && !c.cfg.DisableInstanceDiscovery {
		var err error
		if aliases, err = c.instanceDiscovery(ctx, a); err != nil {
			return nil, err
		}
	}
	resp, err := c.send(ctx, request{method: http.MethodGet, url: a.discoveryURL()})
	if err != nil {
		return nil, fmt.Errorf("engine: OpenID discovery for %s: %w", a, err)
	}
	if resp.status != http.StatusOK {
		if e := parseErrorBody(resp); e != nil {
			return nil, fmt.Errorf("engine: OpenID discovery for %s: %w", a, e)
		}
		return nil, fmt.Errorf("engine: OpenID discovery for %s: HTTP %d", a, resp.status)
	}
	var m oidcMetadata
	if err := decodeJSON(resp, &m); err != nil {
		return nil, fmt.Errorf("engine: OpenID discovery for %s: %w", a, err)
	}
	if err := m.validate(a); err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(m)
	err = c.store.Write(ctx, CacheHint{Shared: true}, func(cc *cache.Cache) error {
		if len(aliases) > 0 {
			im, _ := json.Marshal(instanceMetadata{Aliases: aliases})
			if err := cc.SetMetadata(instanceKey(a), im, c.metadataExpiry()); err != nil {
				return err
			}
		}
		return cc.SetMetadata(oidcKey(a), raw, c.metadataExpiry())
	})
	if err != nil {
		c.log.Debug("engine: could not keep discovery metadata", "error", err)
	}
	c.mu.Lock()
	c.metadata[oidcKey(a)] = &m
	c.mu.Unlock()
	return &m, nil
}

// validate refuses a configuration whose endpoints leave the authority's
// host or its scheme: a redirect to another host must never receive a
// password or a refresh token. A generic provider's document must name
// the issuer it was fetched for (OpenID Connect Discovery §4.3) and may
// leave out the authorization endpoint (the flows that need it say so).
func (m *oidcMetadata) validate(a Authority) error {
	if a.Kind == KindOIDC && strings.TrimRight(m.Issuer, "/") != a.Issuer {
		return fmt.Errorf("engine: OpenID discovery for %s: the document names the issuer %q, not the one it was fetched for; refusing it", a, oneLine(m.Issuer))
	}
	endpoints := []struct {
		name, value string
		required    bool
	}{
		{"token_endpoint", m.TokenEndpoint, true},
		{"authorization_endpoint", m.AuthorizationEndpoint, a.Kind != KindOIDC},
		{"device_authorization_endpoint", m.DeviceCodeEndpoint, false},
	}
	for _, e := range endpoints {
		if e.value == "" && !e.required {
			continue
		}
		u, err := url.Parse(e.value)
		if err != nil || e.value == "" {
			return fmt.Errorf("engine: OpenID discovery for %s: %s is missing or invalid", a, e.name)
		}
		if !strings.EqualFold(u.Host, a.Host) || !strings.EqualFold(u.Scheme, a.Scheme) {
			return fmt.Errorf("engine: OpenID discovery for %s: %s points at %s://%s, another host; refusing it", a, e.name, oneLine(u.Scheme), oneLine(u.Host))
		}
	}
	return nil
}

// instanceDiscovery asks the cloud whether it knows the host and which
// aliases it has. A loopback emulator is its own cloud; anything else is
// checked with the worldwide cloud.
func (c *Client) instanceDiscovery(ctx context.Context, a Authority) ([]string, error) {
	endpoint := instanceDiscoveryEndpoint(a)
	q := url.Values{"api-version": {"1.1"}, "authorization_endpoint": {a.String() + "/oauth2/v2.0/authorize"}}
	resp, err := c.send(ctx, request{method: http.MethodGet, url: endpoint + "?" + q.Encode()})
	if err != nil {
		return nil, fmt.Errorf("engine: instance discovery for %s: %w", a.Host, err)
	}
	if resp.status != http.StatusOK {
		if e := parseErrorBody(resp); e != nil && e.Code == "invalid_instance" {
			return nil, fmt.Errorf("engine: %s is not a known Microsoft cloud (instance discovery refused it); if you trust it, turn instance discovery off: %w", a.Host, e)
		}
		return nil, fmt.Errorf("engine: instance discovery for %s: HTTP %d", a.Host, resp.status)
	}
	var body struct {
		Metadata []instanceMetadata `json:"metadata"`
	}
	if err := decodeJSON(resp, &body); err != nil {
		return nil, fmt.Errorf("engine: instance discovery for %s: %w", a.Host, err)
	}
	for _, m := range body.Metadata {
		for _, alias := range m.Aliases {
			if strings.EqualFold(alias, a.Host) || strings.EqualFold(alias, a.Environment) {
				c.mu.Lock()
				c.aliases[a.Environment] = hostsWithoutPorts(m.Aliases)
				c.mu.Unlock()
				return m.Aliases, nil
			}
		}
	}
	return []string{a.Host}, nil
}

// instanceDiscoveryEndpoint is where a host is checked: a known cloud asks
// itself, a loopback emulator is its own cloud, anything else is checked
// with the worldwide cloud.
func instanceDiscoveryEndpoint(a Authority) string {
	if isLoopbackHost(a.Environment) {
		return a.Scheme + "://" + a.Host + "/common/discovery/instance"
	}
	if c, ok := CloudOf(a); ok {
		return c.InstanceDiscoveryEndpoint()
	}
	return publicCloud.InstanceDiscoveryEndpoint()
}

// environments is the cache environment of an authority and its aliases,
// the authority's own first.
func (c *Client) environments(a Authority) []string {
	if known := knownAliases(a.Environment); known != nil {
		out := []string{a.Environment}
		for _, h := range known {
			if h != a.Environment {
				out = append(out, h)
			}
		}
		return out
	}
	c.mu.Lock()
	discovered := c.aliases[a.Environment]
	c.mu.Unlock()
	out := []string{a.Environment}
	for _, h := range discovered {
		if h != a.Environment {
			out = append(out, h)
		}
	}
	return out
}

func hostsWithoutPorts(hosts []string) []string {
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		if u, err := url.Parse("https://" + h); err == nil && u.Hostname() != "" {
			out = append(out, strings.ToLower(u.Hostname()))
		}
	}
	return out
}

// realm is the tenant the cache files an authority's tokens under: the
// tenant segment of its token endpoint, as MSAL Python records it. For a
// domain (contoso.onmicrosoft.com) that is the directory's id, so tokens
// asked for by domain and by id are the same entries; GUIDs and the
// multi-tenant names stand for themselves and need no discovery.
func (c *Client) realm(ctx context.Context, a Authority) string {
	if a.Kind == KindOIDC {
		return "" // one issuer, no tenants
	}
	if a.IsMultiTenant() || isGUID(a.Tenant) || a.Kind == KindADFS {
		return a.Tenant
	}
	meta, err := c.endpoints(ctx, a)
	if err != nil {
		return a.Tenant
	}
	u, err := url.Parse(meta.TokenEndpoint)
	if err != nil {
		return a.Tenant
	}
	if segment := strings.SplitN(strings.Trim(u.Path, "/"), "/", 2)[0]; segment != "" {
		return segment
	}
	return a.Tenant
}
