package vault

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
)

// msalDoc is an indented MSAL document of n accounts with secrets of
// about 1 400 characters, like the Azure CLI's.
func msalDoc(n int) []byte {
	secret := strings.Repeat("x", 1400)
	var at, rt, it, ac []string
	for i := range n {
		h := fmt.Sprintf("%08x-1111-2222-3333-%012x.72f988bf-86f1-41af-91ab-2d7cd011db47", i, i)
		at = append(at, fmt.Sprintf(`"%s-login.microsoftonline.com-accesstoken-c-t-s": {
            "home_account_id": "%s", "environment": "login.microsoftonline.com", "client_id": "c",
            "realm": "t", "target": "s", "secret": "AT.%s", "credential_type": "AccessToken",
            "cached_at": "1700000000", "expires_on": "4000000000", "extended_expires_on": "4000000000"}`, h, h, secret))
		rt = append(rt, fmt.Sprintf(`"%s-login.microsoftonline.com-refreshtoken-c--": {
            "home_account_id": "%s", "environment": "login.microsoftonline.com", "client_id": "c",
            "secret": "RT.%s", "credential_type": "RefreshToken", "family_id": "1"}`, h, h, secret))
		it = append(it, fmt.Sprintf(`"%s-login.microsoftonline.com-idtoken-c-t-": {
            "home_account_id": "%s", "environment": "login.microsoftonline.com", "client_id": "c",
            "realm": "t", "secret": "ID.%s", "credential_type": "IdToken"}`, h, h, secret))
		ac = append(ac, fmt.Sprintf(`"%s-login.microsoftonline.com-t": {
            "home_account_id": "%s", "environment": "login.microsoftonline.com", "realm": "t",
            "local_account_id": "%s", "username": "user%d@contoso.example", "authority_type": "MSSTS"}`, h, h, h[:36], i))
	}
	sec := func(name string, list []string) string {
		return fmt.Sprintf("    %q: {\n        %s\n    }", name, strings.Join(list, ",\n        "))
	}
	return []byte("{\n" + strings.Join([]string{sec("AccessToken", at), sec("RefreshToken", rt), sec("IdToken", it),
		sec("Account", ac), `    "AppMetadata": {}`}, ",\n") + "\n}\n")
}

// BenchmarkImportPasses is an import's reading without the vault: the
// first pass over the file and the second over every record.
func BenchmarkImportPasses(b *testing.B) {
	doc := msalDoc(2000)
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		plan, err := planImport(context.Background(), bytes.NewReader(doc), int64(len(doc)), "bench")
		if err != nil {
			b.Fatal(err)
		}
		var buf []byte
		for _, entries := range plan.records() {
			if _, _, err := importRecordCreds(bytes.NewReader(doc), plan.seed, entries, &buf); err != nil {
				b.Fatal(err)
			}
		}
	}
}
