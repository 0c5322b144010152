package vault_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"acctui/engine/cache"
)

// BenchmarkGoalsTenantsRefresh is the save after a refresh in one tenant
// of a home account signed in to 1 000 (BenchmarkGoalsTenants' vault): a
// realm-hinted write of one access token and the refresh token.
func BenchmarkGoalsTenantsRefresh(b *testing.B) {
	opts := fileOptions(b)
	opts.ServiceName = kernelTestService(b, opts)
	opts.KeyctlCache = time.Hour
	v := open(b, opts)
	home := homeID(1)
	now := time.Now().Unix()
	tenant := func(t int) string { return fmt.Sprintf("%08x-aaaa-bbbb-cccc-%012x", t, t) }
	rt := cache.RefreshToken{HomeAccountID: home, Environment: testEnv, ClientID: testClientID, FamilyID: "1"}
	at := func(t int) cache.AccessToken {
		return cache.AccessToken{HomeAccountID: home, Environment: testEnv, ClientID: testClientID,
			Realm: tenant(t), Target: "https://graph.microsoft.com/.default", Secret: randomSecret("AT.", benchSecret),
			CachedAt: now, ExpiresOn: now + 3600, ExtendedExpiresOn: now + 3600}
	}
	err := v.Update(context.Background(), func(c *cache.Cache) error {
		for t := range 1000 {
			if err := c.SaveAccount(cache.Account{HomeAccountID: home, Environment: testEnv, Realm: tenant(t),
				Username: username(1), AuthorityType: cache.AuthorityTypeMSSTS}); err != nil {
				return err
			}
			if err := c.SaveAccessToken(at(t)); err != nil {
				return err
			}
		}
		rt.Secret = randomSecret("RT.", benchSecret)
		return c.SaveRefreshToken(rt, now)
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		err := v.Write(context.Background(), cache.Hint{HomeAccountID: home, Realm: tenant(500)}, func(c *cache.Cache) error {
			if err := c.SaveAccessToken(at(500)); err != nil {
				return err
			}
			rt.Secret = randomSecret("RT.", benchSecret)
			return c.SaveRefreshToken(rt, now)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
