package cache

import "testing"

// TestSaveReplacesSameScopesInAnotherOrder: MSAL Python 1.21 keys an access
// token by the target in Entra's order; saving the same scopes sorted
// replaces that entry instead of leaving it beside the new one. Other
// scopes, realms and clients are kept.
func TestSaveReplacesSameScopesInAnotherOrder(t *testing.T) {
	const file = `{"AccessToken": {
 "uid.utid-login.microsoftonline.com-accesstoken-cli-tid-https://management.azure.com/user_impersonation https://management.azure.com/.default": {
  "credential_type": "AccessToken", "secret": "old", "home_account_id": "uid.utid", "environment": "login.microsoftonline.com",
  "client_id": "cli", "realm": "tid", "target": "https://management.azure.com/user_impersonation https://management.azure.com/.default",
  "token_type": "Bearer", "cached_at": "1", "expires_on": "2", "extended_expires_on": "2"},
 "uid.utid-login.microsoftonline.com-accesstoken-cli-other-https://management.azure.com/user_impersonation https://management.azure.com/.default": {
  "credential_type": "AccessToken", "secret": "other-realm", "home_account_id": "uid.utid", "environment": "login.microsoftonline.com",
  "client_id": "cli", "realm": "other", "target": "https://management.azure.com/user_impersonation https://management.azure.com/.default",
  "token_type": "Bearer", "cached_at": "1", "expires_on": "2", "extended_expires_on": "2"},
 "uid.utid-login.microsoftonline.com-accesstoken-cli-tid-https://management.azure.com/user_impersonation https://management.azure.com/.default extra": {
  "credential_type": "AccessToken", "secret": "more-scopes", "home_account_id": "uid.utid", "environment": "login.microsoftonline.com",
  "client_id": "cli", "realm": "tid", "target": "https://management.azure.com/user_impersonation https://management.azure.com/.default extra",
  "token_type": "Bearer", "cached_at": "1", "expires_on": "2", "extended_expires_on": "2"}
}}`
	c, err := Parse([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	err = c.SaveAccessToken(AccessToken{HomeAccountID: "uid.utid", Environment: "login.microsoftonline.com", ClientID: "cli",
		Realm: "tid", Target: "https://management.azure.com/user_impersonation https://management.azure.com/.default",
		Secret: "new", CachedAt: 10, ExpiresOn: 20, ExtendedExpiresOn: 20})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, at := range c.FindAccessTokens(AccessTokenQuery{HomeAccountID: "uid.utid"}) {
		got[at.Secret.Reveal()] = true
	}
	want := map[string]bool{"new": true, "other-realm": true, "more-scopes": true}
	if len(got) != len(want) {
		t.Fatalf("access tokens after the save: %v, want %v", got, want)
	}
	for s := range want {
		if !got[s] {
			t.Errorf("access tokens after the save: %v, want %v", got, want)
		}
	}
}
