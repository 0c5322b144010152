package cache

import "testing"

const (
	azureCLI   = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
	worldwide  = "login.microsoftonline.com"
	armDefault = "https://management.core.windows.net//.default"
	armUser    = "https://management.core.windows.net//user_impersonation"
)

func TestKeys(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{
			name: "refresh token as the Azure CLI writes it",
			got: RefreshToken{
				HomeAccountID: "uid.utid", Environment: worldwide, ClientID: azureCLI,
				Target: armUser + " " + armDefault,
			}.Key(),
			want: "uid.utid-login.microsoftonline.com-refreshtoken-04b07795-8ddb-461a-bbee-02f9e1bf7b46--https://management.core.windows.net//user_impersonation https://management.core.windows.net//.default",
		},
		{
			name: "refresh token without target",
			got:  RefreshToken{HomeAccountID: "uid.utid", Environment: worldwide, ClientID: azureCLI}.Key(),
			want: "uid.utid-login.microsoftonline.com-refreshtoken-04b07795-8ddb-461a-bbee-02f9e1bf7b46--",
		},
		{
			name: "access token",
			got: AccessToken{
				HomeAccountID: "uid.utid", Environment: worldwide, ClientID: azureCLI,
				Realm: "72f988bf-86f1-41af-91ab-2d7cd011db47", Target: armDefault,
			}.Key(),
			want: "uid.utid-login.microsoftonline.com-accesstoken-04b07795-8ddb-461a-bbee-02f9e1bf7b46-72f988bf-86f1-41af-91ab-2d7cd011db47-https://management.core.windows.net//.default",
		},
		{
			name: "app-only access token has an empty home part",
			got:  AccessToken{Environment: worldwide, ClientID: "app", Realm: "tenant", Target: "s"}.Key(),
			want: "-login.microsoftonline.com-accesstoken-app-tenant-s",
		},
		{
			name: "access token key is lower-cased",
			got:  AccessToken{HomeAccountID: "UID.UTID", Environment: "Login.Windows.Net", ClientID: "ABC", Realm: "Common", Target: "User.Read"}.Key(),
			want: "uid.utid-login.windows.net-accesstoken-abc-common-user.read",
		},
		{
			name: "id token has a trailing empty part",
			got:  IDToken{HomeAccountID: "uid.utid", Environment: worldwide, ClientID: azureCLI, Realm: "organizations"}.Key(),
			want: "uid.utid-login.microsoftonline.com-idtoken-04b07795-8ddb-461a-bbee-02f9e1bf7b46-organizations-",
		},
		{
			name: "account",
			got:  Account{HomeAccountID: "uid.utid", Environment: worldwide, Realm: "utid"}.Key(),
			want: "uid.utid-login.microsoftonline.com-utid",
		},
		{
			name: "app metadata",
			got:  AppMetadata{ClientID: azureCLI, Environment: worldwide}.Key(),
			want: "appmetadata-login.microsoftonline.com-04b07795-8ddb-461a-bbee-02f9e1bf7b46",
		},
		{
			name: "app metadata key keeps case",
			got:  AppMetadata{ClientID: "ABC", Environment: "Login.Windows.Net"}.Key(),
			want: "appmetadata-Login.Windows.Net-ABC",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("key\n got %q\nwant %q", tt.got, tt.want)
			}
		})
	}
}

// TestSaveKeysSortTarget checks that entries written by acctui carry the
// sorted target MSAL Python 1.2x+ computes, in the field and in the key.
func TestSaveKeysSortTarget(t *testing.T) {
	c := New()
	rt := RefreshToken{HomeAccountID: "uid.utid", Environment: worldwide, ClientID: azureCLI,
		Target: armUser + " " + armDefault, Secret: "rt"}
	if err := c.SaveRefreshToken(rt, 1700000000); err != nil {
		t.Fatal(err)
	}
	got := c.FindRefreshTokens(RefreshTokenQuery{HomeAccountID: "uid.utid", ClientID: azureCLI})
	if len(got) != 1 {
		t.Fatalf("found %d refresh tokens, want 1", len(got))
	}
	wantKey := "uid.utid-login.microsoftonline.com-refreshtoken-04b07795-8ddb-461a-bbee-02f9e1bf7b46--https://management.core.windows.net//.default https://management.core.windows.net//user_impersonation"
	if got[0].Key() != wantKey {
		t.Errorf("key %q, want %q", got[0].Key(), wantKey)
	}
	if got[0].LastModificationTime != 1700000000 {
		t.Errorf("last_modification_time %d", got[0].LastModificationTime)
	}
}
