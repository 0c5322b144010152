package main

import (
	"slices"
	"testing"
)

func TestDefaultScopesPerAuthority(t *testing.T) {
	for _, tt := range []struct {
		authority, oidc string
		want            []string
	}{
		{"https://login.microsoftonline.com/organizations", "", []string{"https://management.core.windows.net//.default"}},
		{"https://login.microsoftonline.us/contoso.us", "", []string{"https://management.core.usgovcloudapi.net//.default"}},
		{"https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin", "", []string{"app-id"}},
		{"https://contoso.ciamlogin.com/", "", nil},
		{"https://fs.contoso.com/adfs", "", nil},
		{"https://login.microsoftonline.com/organizations", "https://accounts.example.com", nil},
	} {
		a := &app{}
		a.s.Authority, a.s.OIDCAuthority, a.s.ClientID = tt.authority, tt.oidc, "app-id"
		if got := a.defaultScopes(); !slices.Equal(got, tt.want) {
			t.Errorf("%s %s: %q, want %q", tt.authority, tt.oidc, got, tt.want)
		}
	}
}
