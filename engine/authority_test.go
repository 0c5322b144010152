package engine

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// entra is an Entra-kind authority, for tables.
func entra(scheme, host, environment, tenant string) Authority {
	return Authority{Scheme: scheme, Host: host, Environment: environment, Tenant: tenant}
}

func TestParseAuthority(t *testing.T) {
	tests := []struct {
		raw     string
		want    Authority
		wantErr bool
	}{
		{"https://login.microsoftonline.com/common", entra("https", "login.microsoftonline.com", "login.microsoftonline.com", "common"), false},
		{"https://Login.MicrosoftOnline.com/contoso.onmicrosoft.com/", entra("https", "login.microsoftonline.com", "login.microsoftonline.com", "contoso.onmicrosoft.com"), false},
		{"https://login.microsoftonline.us/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0", entra("https", "login.microsoftonline.us", "login.microsoftonline.us", "72f988bf-86f1-41af-91ab-2d7cd011db47"), false},
		{"http://127.0.0.1:8443/organizations", entra("http", "127.0.0.1:8443", "127.0.0.1", "organizations"), false},
		{"https://localhost:9000/consumers", entra("https", "localhost:9000", "localhost", "consumers"), false},
		{"", entra("https", "login.microsoftonline.com", "login.microsoftonline.com", "common"), false},
		{"http://login.microsoftonline.com/common", Authority{}, true},
		{"https://login.microsoftonline.com", Authority{}, true},
		{"https://login.microsoftonline.com/common/extra", Authority{}, true},
		{"https://user@login.microsoftonline.com/common", Authority{}, true},
		{"https://login.microsoftonline.com/common?x=1", Authority{}, true},
		{"ftp://login.microsoftonline.com/common", Authority{}, true},
		{"::not a url", Authority{}, true},
		{"https://login.microsoftonline.com/%00tenant", Authority{}, true},
	}
	for _, tt := range tests {
		got, err := ParseAuthority(tt.raw)
		if (err != nil) != tt.wantErr || (!tt.wantErr && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("ParseAuthority(%q) = %+v, %v", tt.raw, got, err)
		}
	}
}

func TestEnvironmentsOfKnownClouds(t *testing.T) {
	c, _ := New(Config{ClientID: "x", Authority: "https://login.windows.net/common"})
	got := c.environments(c.Authority())
	want := []string{"login.windows.net", "login.microsoftonline.com", "login.microsoft.com", "sts.windows.net"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("environments %v", got)
	}
	c, _ = New(Config{ClientID: "x", Authority: "https://login.chinacloudapi.cn/common"})
	if got := c.environments(c.Authority()); len(got) != 2 || got[1] != "login.partner.microsoftonline.cn" {
		t.Errorf("china %v", got)
	}
	if a := (Authority{Tenant: "Organizations"}); !a.IsMultiTenant() {
		t.Error("organizations is multi-tenant")
	}
}

func TestAuthorityPathsThatCouldNameAnotherPlace(t *testing.T) {
	for _, raw := range []string{
		"https://login.microsoftonline.com/..",
		"https://login.microsoftonline.com/../common",
		"https://login.microsoftonline.com/./common",
		"https://login.microsoftonline.com/common/..",
		"https://login.microsoftonline.com/%2e%2e",
		"https://login.microsoftonline.com/%2E%2E/common",
		"https://login.microsoftonline.com/.%2e/common",
		"https://login.microsoftonline.com/common%2f..%2fother",
		"https://login.microsoftonline.com/contoso%2eexample",
		`https://login.microsoftonline.com/common\..\other`,
	} {
		_, err := ParseAuthority(raw)
		if err == nil {
			t.Errorf("ParseAuthority(%q) accepted it", raw)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, "dot segments") && !strings.Contains(msg, "percent-encoded") && !strings.Contains(msg, "backslash") && !strings.Contains(msg, "tenant must be") {
			t.Errorf("ParseAuthority(%q): unclear error %q", raw, msg)
		}
	}
	// a client made with such an authority is refused before any request
	if _, err := New(Config{ClientID: "x", Authority: "https://login.microsoftonline.com/%2e%2e"}); err == nil {
		t.Error("New accepted an encoded dot segment")
	}
	if _, err := New(Config{ClientID: "x"}); err != nil {
		t.Errorf("the default authority: %v", err)
	}
}

func TestUppercaseGUIDTenantIsNormalised(t *testing.T) {
	a, err := ParseAuthority("https://login.microsoftonline.com/72F988BF-86F1-41AF-91AB-2D7CD011DB47")
	if err != nil || a.Tenant != "72f988bf-86f1-41af-91ab-2d7cd011db47" {
		t.Fatalf("%+v %v", a, err)
	}
	c, _ := New(Config{ClientID: "x", Authority: a.String()})
	if realm := c.realm(context.Background(), a); realm != "72f988bf-86f1-41af-91ab-2d7cd011db47" {
		t.Errorf("realm %q", realm)
	}
}

func TestSovereignClouds(t *testing.T) {
	tests := []struct {
		authority, scope, discovery string
	}{
		{"https://login.microsoftonline.com/common", "https://management.core.windows.net//.default", "https://login.microsoftonline.com/common/discovery/instance"},
		{"https://login.windows.net/contoso.example", "https://management.core.windows.net//.default", "https://login.microsoftonline.com/common/discovery/instance"},
		{"https://login.microsoftonline.us/organizations", "https://management.core.usgovcloudapi.net//.default", "https://login.microsoftonline.us/common/discovery/instance"},
		{"https://login.usgovcloudapi.net/organizations", "https://management.core.usgovcloudapi.net//.default", "https://login.microsoftonline.us/common/discovery/instance"},
		{"https://login.chinacloudapi.cn/organizations", "https://management.core.chinacloudapi.cn//.default", "https://login.chinacloudapi.cn/common/discovery/instance"},
		{"https://login.partner.microsoftonline.cn/common", "https://management.core.chinacloudapi.cn//.default", "https://login.chinacloudapi.cn/common/discovery/instance"},
		{"https://login.microsoftonline.de/common", "https://management.core.cloudapi.de//.default", "https://login.microsoftonline.de/common/discovery/instance"},
		{"https://login.sovcloud-identity.fr/organizations", "https://management.core.sovcloud-api.fr//.default", "https://login.sovcloud-identity.fr/common/discovery/instance"},
		{"https://login.sovcloud-identity.de/organizations", "https://management.core.sovcloud-api.de//.default", "https://login.sovcloud-identity.de/common/discovery/instance"},
		{"https://login.sovcloud-identity.sg/organizations", "https://management.core.sovcloud-api.sg//.default", "https://login.sovcloud-identity.sg/common/discovery/instance"},
		// no known cloud: the public default, checked by the public cloud
		{"https://login.contoso-private.example/common", "https://management.core.windows.net//.default", "https://login.microsoftonline.com/common/discovery/instance"},
		{"https://127.0.0.1:8443/organizations", "https://management.core.windows.net//.default", "https://127.0.0.1:8443/common/discovery/instance"},
	}
	for _, tt := range tests {
		scope, err := DefaultScope(tt.authority)
		if err != nil || scope != tt.scope {
			t.Errorf("DefaultScope(%q) = %q, %v; want %q", tt.authority, scope, err, tt.scope)
		}
		a, _ := ParseAuthority(tt.authority)
		if got := instanceDiscoveryEndpoint(a); got != tt.discovery {
			t.Errorf("instance discovery for %q = %q, want %q", tt.authority, got, tt.discovery)
		}
	}
	if _, err := DefaultScope("http://login.microsoftonline.us/x"); err == nil {
		t.Error("DefaultScope accepted a plain-http authority")
	}
	// a sovereign host is trusted without instance discovery, and its
	// aliases are one cloud in the cache
	c, _ := New(Config{ClientID: "x", Authority: "https://login.sovcloud-identity.fr/organizations"})
	if !isKnownHost(c.Authority().Environment) {
		t.Error("sovcloud-identity.fr is not trusted")
	}
	c, _ = New(Config{ClientID: "x", Authority: "https://login.usgovcloudapi.net/organizations"})
	if got := c.environments(c.Authority()); !reflect.DeepEqual(got, []string{"login.usgovcloudapi.net", "login.microsoftonline.us"}) {
		t.Errorf("US Gov aliases %v", got)
	}
}
