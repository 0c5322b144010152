package main

import (
	"strings"
	"testing"
)

func TestNearestName(t *testing.T) {
	names := []string{"alice@contoso.example", "alicia@contoso.example", "bob@contoso.example"}
	cases := map[string]string{
		"alice":                 "alice@contoso.example",
		"alice@contoso.exampel": "alice@contoso.example",
		"BOB@CONTOSO.EXAMPLE.":  "bob@contoso.example",
		"alic@contoso.example":  "alice@contoso.example", // one edit from alice, two from alicia
		"zed@fabrikam.example":  "",
		"carol@contoso.example": "",
		"":                      "",
	}
	for wanted, want := range cases {
		if got := nearestName(wanted, names); got != want {
			t.Errorf("nearestName(%q) = %q, want %q", wanted, got, want)
		}
	}
	// one edit from both: a tie names neither
	if got := nearestName("xob@c.example", []string{"bob@c.example", "rob@c.example"}); got != "" {
		t.Errorf("a tie gave %q", got)
	}
}

func TestExecCredentialVersion(t *testing.T) {
	cases := []struct{ info, want, err string }{
		{"", execCredentialV1, ""},
		{"  ", execCredentialV1, ""},
		{`{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1"}`, execCredentialV1beta1, ""},
		{`{"apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":true}}`, execCredentialV1, ""},
		{`{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1"}`, "", "is not one of"},
		{`{"kind":"Secret","apiVersion":"v1"}`, "", "not ExecCredential"},
		{`{"kind":"ExecCredential"}`, "", "no apiVersion"},
		{`[1]`, "", "not an ExecCredential JSON object"},
	}
	for _, tc := range cases {
		got, err := execCredentialVersion(tc.info)
		if tc.err == "" && (err != nil || got != tc.want) {
			t.Errorf("%q: %q, %v; want %q", tc.info, got, err, tc.want)
		}
		if tc.err != "" {
			if _, usage := err.(usageError); !usage || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want a usage error with %q", tc.info, err, tc.err)
			}
		}
	}
}

func TestAzProfileKeepsWhatAzWrote(t *testing.T) {
	in := "\ufeff" + `{"installationId":"i-1","subscriptions":[{"id":"s1","name":"Prod <1>","user":{"name":"zoe@f.example","type":"user"},"isDefault":true,"tenantId":"t1","environmentName":"AzureCloud","x":[1,2]}],"other":{"a":1}}`
	p, err := parseAzProfile([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.addTenantLevel("alice@c.example", "t2", "AzureCloud"); err != nil {
		t.Fatal(err)
	}
	if ok, err := p.makeDefault("alice@c.example", "AzureCloud"); !ok || err != nil {
		t.Fatalf("makeDefault: %v %v", ok, err)
	}
	out, err := p.marshal()
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"\ufeff{", `"installationId":"i-1"`, `"other":{"a":1}`, `"name":"Prod <1>"`, `"x":[1,2]`, `"isDefault":false`, `"name":"N/A(tenant level account)"`} {
		if !strings.Contains(s, want) {
			t.Errorf("profile lacks %s:\n%s", want, s)
		}
	}
	if p.defaultUser("AzureCloud") != "alice@c.example" {
		t.Errorf("default user = %q", p.defaultUser("AzureCloud"))
	}
	for _, bad := range []string{`[]`, `{"subscriptions":{}}`, `{"subscriptions":[1]}`, `{`} {
		if _, err := parseAzProfile([]byte(bad)); err == nil {
			t.Errorf("parseAzProfile(%s) accepted it", bad)
		}
	}
}
