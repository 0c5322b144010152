package engine

import "strings"

// Cloud is one Microsoft cloud: its sign-in hosts and what a token for
// "the default resource" means there.
type Cloud struct {
	// Name is the Azure CLI's name for the cloud, such as AzureUSGovernment.
	Name string
	// Hosts are the cloud's sign-in hosts, the preferred one first; they
	// are aliases of each other in the token cache.
	Hosts []string
	// ResourceManager is the cloud's Azure Resource Manager resource as the
	// Azure CLI's active_directory_resource_id names it, trailing slash
	// included.
	ResourceManager string
}

// InstanceDiscoveryEndpoint is the cloud's own instance discovery address,
// as MSAL Go asks a trusted host rather than the public cloud.
func (c Cloud) InstanceDiscoveryEndpoint() string {
	return "https://" + c.Hosts[0] + "/common/discovery/instance"
}

// DefaultScope is the cloud's ARM scope, resource + "/.default" with the
// resource's own trailing slash kept, as az account get-access-token asks.
func (c Cloud) DefaultScope() string { return c.ResourceManager + "/.default" }

// clouds are the Microsoft clouds the engine trusts without instance
// discovery: MSAL Go's trusted hosts, with the Azure CLI's resources (the
// sovcloud-identity clouds' from their published cloud settings).
var clouds = []Cloud{
	{Name: "AzureCloud", ResourceManager: "https://management.core.windows.net/",
		Hosts: []string{"login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net"}},
	{Name: "AzureChinaCloud", ResourceManager: "https://management.core.chinacloudapi.cn/",
		Hosts: []string{"login.chinacloudapi.cn", "login.partner.microsoftonline.cn"}},
	{Name: "AzureUSGovernment", ResourceManager: "https://management.core.usgovcloudapi.net/",
		Hosts: []string{"login.microsoftonline.us", "login.usgovcloudapi.net"}},
	{Name: "AzureUSGovernment", ResourceManager: "https://management.core.usgovcloudapi.net/",
		Hosts: []string{"login-us.microsoftonline.com"}},
	{Name: "AzureGermanCloud", ResourceManager: "https://management.core.cloudapi.de/",
		Hosts: []string{"login.microsoftonline.de"}},
	{Name: "AzureBleuCloud", ResourceManager: "https://management.core.sovcloud-api.fr/",
		Hosts: []string{"login.sovcloud-identity.fr"}},
	{Name: "AzureDelosCloud", ResourceManager: "https://management.core.sovcloud-api.de/",
		Hosts: []string{"login.sovcloud-identity.de"}},
	{Name: "AzureGovSGCloud", ResourceManager: "https://management.core.sovcloud-api.sg/",
		Hosts: []string{"login.sovcloud-identity.sg"}},
}

// publicCloud is the worldwide cloud: the answer for hosts that belong to
// no known cloud (a private cloud, the local emulator), whose instance
// discovery the public cloud answers.
var publicCloud = clouds[0]

// CloudOf returns the cloud the authority's host belongs to; false for a
// host of no known cloud.
func CloudOf(a Authority) (Cloud, bool) {
	for _, c := range clouds {
		for _, h := range c.Hosts {
			if h == strings.ToLower(a.Environment) {
				return c, true
			}
		}
	}
	return Cloud{}, false
}

// DefaultScope is the scope asked for when the user names none: the
// Azure Resource Manager of the authority's cloud, so a sign-in at
// login.microsoftonline.us asks for US Government ARM, not the public one.
// Hosts of no known cloud (the emulator, private clouds) get the public
// cloud's.
func DefaultScope(authority string) (string, error) {
	a, err := ParseAuthority(authority)
	if err != nil {
		return "", err
	}
	if c, ok := CloudOf(a); ok {
		return c.DefaultScope(), nil
	}
	return publicCloud.DefaultScope(), nil
}
