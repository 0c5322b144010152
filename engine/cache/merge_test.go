package cache

import "testing"

func TestMergeNeverDropsAccounts(t *testing.T) {
	mine := seed(t)
	theirs := mustParseFile(t, "msal_python.json")
	before := len(mine.Accounts())
	mine.ResetStateChanged()
	mine.Merge(theirs)
	if got := len(mine.Accounts()); got != before+1 {
		t.Errorf("accounts after merge %d, want %d", got, before+1)
	}
	for _, a := range seed(t).Accounts() {
		if got := mine.FindAccounts(AccountQuery{HomeAccountID: a.HomeAccountID, Realm: a.Realm}); len(got) != 1 {
			t.Errorf("account %s/%s dropped", a.HomeAccountID, a.Realm)
		}
	}
	if !mine.HasStateChanged() {
		t.Error("merge did not mark the cache changed")
	}
	if _, ok := mine.FindAccessToken(AccessTokenQuery{HomeAccountID: "uid1.utid1", Scopes: []string{armDefault}}); !ok {
		t.Error("merged access token not indexed")
	}
	// Merging an empty cache changes nothing.
	n := mine.Len()
	mine.Merge(New())
	if mine.Len() != n {
		t.Error("merging an empty cache changed the length")
	}
}

func TestMergeKeepsNewer(t *testing.T) {
	base := RefreshToken{HomeAccountID: "h", Environment: "e", ClientID: "c"}
	tests := []struct {
		name            string
		mineAt, theirAt int64
		want            string
	}{
		{"theirs newer", 1, 2, "theirs"},
		{"mine newer", 2, 1, "mine"},
		{"tie goes to the import", 1, 1, "theirs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mine, theirs := New(), New()
			rt := base
			rt.Secret = "mine"
			if err := mine.SaveRefreshToken(rt, tt.mineAt); err != nil {
				t.Fatal(err)
			}
			rt.Secret = "theirs"
			if err := theirs.SaveRefreshToken(rt, tt.theirAt); err != nil {
				t.Fatal(err)
			}
			mine.Merge(theirs)
			got := mine.FindRefreshTokens(RefreshTokenQuery{HomeAccountID: "h", ClientID: "c"})
			if len(got) != 1 || got[0].Secret.Reveal() != tt.want {
				t.Errorf("kept %d tokens, secret %q, want %q", len(got), got[0].Secret.Reveal(), tt.want)
			}
		})
	}
}

func TestMergeMetadataAndSections(t *testing.T) {
	mine, theirs := New(), New()
	_ = mine.SetMetadata("k", []byte(`"mine"`), 200)
	_ = theirs.SetMetadata("k", []byte(`"theirs"`), 100)
	_ = theirs.SetMetadata("only-theirs", []byte(`1`), 0)
	theirs.sections["Other"] = []byte(`{}`)
	mine.Merge(theirs)
	if v, _ := mine.Metadata("k", 0); string(v) != `"mine"` {
		t.Errorf("metadata k = %s, want the later-expiring value", v)
	}
	if _, ok := mine.Metadata("only-theirs", 0); !ok {
		t.Error("metadata only in other not imported")
	}
	if _, ok := mine.sections["Other"]; !ok {
		t.Error("unknown section not imported")
	}
}

func TestClone(t *testing.T) {
	c := seed(t)
	_ = c.SetMetadata("m", []byte(`{"a":1}`), 0)
	d := c.Clone()
	a, _ := c.Marshal()
	b, _ := d.Marshal()
	if string(a) != string(b) {
		t.Fatal("clone marshals differently")
	}
	d.RemoveAccountData(home, nil, azureCLI, "1")
	if c.Len() == d.Len() {
		t.Error("changing the clone changed the original")
	}
	if _, ok := c.FindAccessToken(AccessTokenQuery{HomeAccountID: home, ClientID: "other-app"}); !ok {
		t.Error("original lost a token through its clone")
	}
}
