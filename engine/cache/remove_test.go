package cache

import "testing"

func TestRemoveAccountData(t *testing.T) {
	tests := []struct {
		name             string
		clientID, family string
		envs             []string
		wantRTs          []string // refresh token secrets left for home
		wantRemoved      int
	}{
		// In login.microsoftonline.com home has 3 ATs, 2 IDTs and 2 accounts;
		// login.windows.net adds 1 AT. Plus the refresh tokens removed.
		{"own client only", "other-app", "", []string{worldwide}, []string{"teams-frt", "own-rt-alias", "cli-frt"}, 8},
		{"family member takes the family", azureCLI, "1", []string{worldwide}, []string{"own-rt-alias", "own-rt"}, 9},
		{"all environments", "other-app", "", nil, []string{"teams-frt", "cli-frt"}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := seed(t)
			if got := c.RemoveAccountData(home, tt.envs, tt.clientID, tt.family); got != tt.wantRemoved {
				t.Errorf("removed %d entries, want %d", got, tt.wantRemoved)
			}
			var left []string
			for _, rt := range c.FindRefreshTokens(RefreshTokenQuery{HomeAccountID: home}) {
				left = append(left, rt.Secret.Reveal())
			}
			if len(left) != len(tt.wantRTs) {
				t.Fatalf("refresh tokens left %q, want %q", left, tt.wantRTs)
			}
			for i := range left {
				if left[i] != tt.wantRTs[i] {
					t.Fatalf("refresh tokens left %q, want %q", left, tt.wantRTs)
				}
			}
			// Every realm's AT, IDT and Account of home in those environments is gone.
			if ats := c.FindAccessTokens(AccessTokenQuery{HomeAccountID: home, Environments: []string{worldwide}}); len(ats) != 0 {
				t.Errorf("%d access tokens left", len(ats))
			}
			if ats := c.FindAccessTokens(AccessTokenQuery{HomeAccountID: home, Environments: []string{worldwide}, KeyID: "k1", TokenType: "ssh-cert"}); len(ats) != 0 {
				t.Error("ssh-cert access token left")
			}
			if _, ok := c.FindIDToken(IDTokenQuery{HomeAccountID: home, Environments: []string{worldwide}}); ok {
				t.Error("id token left")
			}
			if a := c.FindAccounts(AccountQuery{HomeAccountID: home}); len(a) != 0 {
				t.Errorf("accounts left: %d", len(a))
			}
			// The other account is untouched.
			if a := c.FindAccounts(AccountQuery{HomeAccountID: "someone.else"}); len(a) != 1 {
				t.Error("other account removed")
			}
			if _, ok := c.FindAccessToken(AccessTokenQuery{HomeAccountID: "someone.else"}); !ok {
				t.Error("other account's token removed")
			}
			if _, ok := c.FindAppMetadata(azureCLI, nil); !ok {
				t.Error("app metadata removed; MSAL Python keeps it")
			}
		})
	}
}
