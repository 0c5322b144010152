package cache

import (
	"fmt"
	"testing"
)

// benchCache builds n accounts, each with one access token, one refresh
// token, one ID token and one Account entry.
func benchCache(b *testing.B, n int) *Cache {
	b.Helper()
	c := New()
	for i := range n {
		home := fmt.Sprintf("uid%06d.tenant", i)
		realm := "72f988bf-86f1-41af-91ab-2d7cd011db47"
		errs := []error{
			c.SaveAccessToken(AccessToken{HomeAccountID: home, Environment: worldwide, ClientID: azureCLI, Realm: realm,
				Target: armDefault + " " + armUser, Secret: "at", CachedAt: 1700000000, ExpiresOn: 1700003600, ExtendedExpiresOn: 1700003600}),
			c.SaveRefreshToken(RefreshToken{HomeAccountID: home, Environment: worldwide, ClientID: azureCLI, FamilyID: "1",
				Target: armDefault + " " + armUser, Secret: "rt"}, 1700000000),
			c.SaveIDToken(IDToken{HomeAccountID: home, Environment: worldwide, ClientID: azureCLI, Realm: realm, Secret: "idt"}),
			c.SaveAccount(Account{HomeAccountID: home, Environment: worldwide, Realm: realm, LocalAccountID: "uid",
				Username: fmt.Sprintf("user%d@contoso.com", i), AuthorityType: AuthorityTypeMSSTS}),
		}
		for _, err := range errs {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	return c
}

func BenchmarkFindAccessToken(b *testing.B) {
	for _, n := range []int{1, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			c := benchCache(b, n)
			queries := make([]AccessTokenQuery, min(n, 64))
			for i := range queries {
				queries[i] = AccessTokenQuery{
					HomeAccountID: fmt.Sprintf("uid%06d.tenant", i*n/len(queries)),
					Environments:  aliases, ClientID: azureCLI, Realm: "72f988bf-86f1-41af-91ab-2d7cd011db47",
					Scopes: []string{armDefault},
				}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, ok := c.FindAccessToken(queries[i%len(queries)]); !ok {
					b.Fatal("not found")
				}
				i++
			}
		})
	}
}

func BenchmarkFindRefreshTokens(b *testing.B) {
	for _, n := range []int{1, 10000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			c := benchCache(b, n)
			q := RefreshTokenQuery{HomeAccountID: "uid000000.tenant", Environments: aliases, ClientID: azureCLI, FamilyID: "1"}
			b.ReportAllocs()
			for b.Loop() {
				if len(c.FindRefreshTokens(q)) != 1 {
					b.Fatal("not found")
				}
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	data, err := benchCache(b, 1000).Marshal()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	c := benchCache(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}
