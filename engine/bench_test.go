package engine

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"acctui/engine/cache"
)

// syntheticCache holds n accounts, each with an access, refresh and ID
// token for the CLI app, as a cache that has seen n sign-ins.
func syntheticCache(b *testing.B, n int) (*cache.Cache, []Account) {
	b.Helper()
	c := cache.New()
	now := time.Now().Unix()
	env, realm := "login.microsoftonline.com", "organizations"
	accounts := make([]Account, 0, n)
	for i := range n {
		oid := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		tid := "72f988bf-86f1-41af-91ab-2d7cd011db47"
		home := oid + "." + tid
		username := fmt.Sprintf("user%d@contoso.example", i)
		claims, _ := json.Marshal(map[string]any{"aud": cliID, "oid": oid, "tid": tid, "preferred_username": username, "exp": now + 3600})
		idToken := "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9." + base64.RawURLEncoding.EncodeToString(claims) + ".c2ln"
		must(b, c.SaveAccessToken(cache.AccessToken{HomeAccountID: home, Environment: env, ClientID: cliID, Realm: realm,
			Target: "https://graph.microsoft.com/.default", Secret: Secret(fmt.Sprintf("at-%d", i)), CachedAt: now, ExpiresOn: now + 3600, ExtendedExpiresOn: now + 3600}))
		must(b, c.SaveRefreshToken(cache.RefreshToken{HomeAccountID: home, Environment: env, ClientID: cliID, Target: "https://graph.microsoft.com/.default", Secret: Secret(fmt.Sprintf("rt-%d", i)), FamilyID: "1"}, now))
		must(b, c.SaveIDToken(cache.IDToken{HomeAccountID: home, Environment: env, ClientID: cliID, Realm: realm, Secret: Secret(idToken)}))
		must(b, c.SaveAccount(cache.Account{HomeAccountID: home, Environment: env, Realm: realm, LocalAccountID: oid, Username: username, AuthorityType: "MSSTS"}))
		accounts = append(accounts, Account{HomeAccountID: home, Environment: env, Username: username})
	}
	must(b, c.SaveAppMetadata(cache.AppMetadata{ClientID: cliID, Environment: env, FamilyID: "1"}))
	return c, accounts
}

func must(b *testing.B, err error) {
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkSilentFromCache is the cost of AcquireTokenSilent answered from
// the in-memory cache; it should stay flat as accounts grow.
func BenchmarkSilentFromCache(b *testing.B) {
	for _, n := range []int{1, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			c, accounts := syntheticCache(b, n)
			client, err := New(Config{ClientID: cliID, Authority: "https://login.microsoftonline.com/organizations", Cache: NewMemoryStore(c)})
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			target := accounts[n/2]
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				r, err := client.AcquireTokenSilent(ctx, graph, target)
				if err != nil || r.Source != SourceCache {
					b.Fatalf("%v %v", r, err)
				}
			}
		})
	}
}

// BenchmarkCacheParse and BenchmarkCacheMarshal measure a 1 000-account
// cache file, the work a process does to load and save it whole.
func BenchmarkCacheParse(b *testing.B) {
	c, _ := syntheticCache(b, 1000)
	data, err := c.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := cache.Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCacheMarshal(b *testing.B) {
	c, _ := syntheticCache(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Marshal(); err != nil {
			b.Fatal(err)
		}
	}
}
