package engine

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// userRealm is the user realm discovery answer: whether a username's
// domain is managed by Entra or federated with another identity provider,
// and for federated domains where that provider's WS-Trust endpoints are.
type userRealm struct {
	AccountType             string `json:"account_type"`
	DomainName              string `json:"domain_name"`
	FederationProtocol      string `json:"federation_protocol"`
	FederationMetadataURL   string `json:"federation_metadata_url"`
	FederationActiveAuthURL string `json:"federation_active_auth_url"`
	CloudAudienceURN        string `json:"cloud_audience_urn"`
}

// isFederated reports whether the user signs in at a federated provider.
func (r userRealm) isFederated() bool { return strings.EqualFold(r.AccountType, "Federated") }

// isPersonalAccount reports whether the username is a personal Microsoft
// account: user realm discovery names them all federated with live.com,
// whose metadata has no endpoint for passwords (MSA never takes ROPC).
func (r userRealm) isPersonalAccount() bool { return strings.EqualFold(r.DomainName, "live.com") }

// audience is the relying party to ask the federated provider for.
func (r userRealm) audience() string {
	if r.CloudAudienceURN != "" {
		return r.CloudAudienceURN
	}
	return "urn:federation:MicrosoftOnline"
}

// hostsWithoutUserRealm remembers hosts that answered 404, as MSAL Python
// does for the life of the process, so they are not asked again.
var hostsWithoutUserRealm sync.Map

// discoverUserRealm asks the authority's host about a username's domain,
// as MSAL does before a username/password sign-in. A 404 means the host
// has no user realm endpoint (the password grant is tried as for a
// managed user); any other answer than 200 is an error.
func (c *Client) discoverUserRealm(ctx context.Context, a Authority, username string) (userRealm, error) {
	if _, ok := hostsWithoutUserRealm.Load(a.Host); ok {
		return userRealm{}, nil
	}
	u := a.Scheme + "://" + a.Host + "/common/userrealm/" + url.PathEscape(username) + "?api-version=1.0"
	resp, err := c.send(ctx, request{method: http.MethodGet, url: u, anchorMailbox: "upn:" + username})
	if err != nil {
		return userRealm{}, fmt.Errorf("engine: user realm discovery: %w", err)
	}
	switch resp.status {
	case http.StatusOK:
	case http.StatusNotFound:
		hostsWithoutUserRealm.Store(a.Host, true)
		return userRealm{}, nil
	default:
		if e := parseErrorBody(resp); e != nil {
			return userRealm{}, fmt.Errorf("engine: user realm discovery: %w", e)
		}
		return userRealm{}, fmt.Errorf("engine: user realm discovery at %s answered HTTP %d", a.Host, resp.status)
	}
	var realm userRealm
	if err := decodeJSON(resp, &realm); err != nil {
		return userRealm{}, fmt.Errorf("engine: user realm discovery: %w", err)
	}
	return realm, nil
}
