package engine

import (
	"reflect"
	"testing"
)

func TestParseAuthority(t *testing.T) {
	tests := []struct {
		raw     string
		want    Authority
		wantErr bool
	}{
		{"https://login.microsoftonline.com/common", Authority{"https", "login.microsoftonline.com", "login.microsoftonline.com", "common"}, false},
		{"https://Login.MicrosoftOnline.com/contoso.onmicrosoft.com/", Authority{"https", "login.microsoftonline.com", "login.microsoftonline.com", "contoso.onmicrosoft.com"}, false},
		{"https://login.microsoftonline.us/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0", Authority{"https", "login.microsoftonline.us", "login.microsoftonline.us", "72f988bf-86f1-41af-91ab-2d7cd011db47"}, false},
		{"http://127.0.0.1:8443/organizations", Authority{"http", "127.0.0.1:8443", "127.0.0.1", "organizations"}, false},
		{"https://localhost:9000/consumers", Authority{"https", "localhost:9000", "localhost", "consumers"}, false},
		{"", Authority{"https", "login.microsoftonline.com", "login.microsoftonline.com", "common"}, false},
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
