package cache

import "strings"

// The key formulas are MSAL Python's (msal/token_cache.py): parts joined by
// "-" and lower-cased, except AppMetadata. Writing these keys is what lets
// MSAL Python and the Azure CLI update or delete entries acctui wrote, since
// they recompute the key from the fields before touching an entry.

// Key returns MSAL Python's key for the entry:
// home_account_id-environment-accesstoken-client_id-realm-target, lower-cased.
func (at AccessToken) Key() string {
	return joinLower(at.HomeAccountID, at.Environment, "accesstoken", at.ClientID, at.Realm, at.Target)
}

// Key returns MSAL Python's key for the entry:
// home_account_id-environment-refreshtoken-client_id--target, lower-cased.
// The realm part is empty because refresh tokens work across tenants.
func (rt RefreshToken) Key() string {
	return joinLower(rt.HomeAccountID, rt.Environment, "refreshtoken", rt.ClientID, "", rt.Target)
}

// Key returns MSAL Python's key for the entry:
// home_account_id-environment-idtoken-client_id-realm- (the trailing empty
// part stands for the target the schema reserves), lower-cased.
func (it IDToken) Key() string {
	return joinLower(it.HomeAccountID, it.Environment, "idtoken", it.ClientID, it.Realm, "")
}

// Key returns MSAL Python's key for the entry:
// home_account_id-environment-realm, lower-cased.
func (a Account) Key() string {
	return joinLower(a.HomeAccountID, a.Environment, a.Realm)
}

// Key returns MSAL Python's key for the entry:
// appmetadata-environment-client_id, not lower-cased (MSAL Python does not).
func (m AppMetadata) Key() string {
	return "appmetadata-" + m.Environment + "-" + m.ClientID
}

func joinLower(parts ...string) string {
	return strings.ToLower(strings.Join(parts, "-"))
}

// indexable reports whether an entry has the fields a lookup goes by. An
// entry without them is kept under its original key so nothing is lost, but
// no query can return it. home_account_id may be empty: MSAL Python stores
// app-only tokens with a null one.
func (at *AccessToken) indexable() bool {
	_, extCacheKey := at.Extra["ext_cache_key"]
	// MSAL Go's "atext" tokens are bound to extra request parameters that
	// the Python key cannot express; re-keying them would overwrite the
	// plain token for the same scopes.
	return at.Environment != "" && at.ClientID != "" && !extCacheKey &&
		credentialTypeOK(at.Extra, credAccessToken)
}

func (rt *RefreshToken) indexable() bool {
	return rt.Environment != "" && rt.ClientID != "" && credentialTypeOK(rt.Extra, credRefreshToken)
}

func (it *IDToken) indexable() bool {
	return it.Environment != "" && it.ClientID != "" && credentialTypeOK(it.Extra, credIDToken)
}

func (a *Account) indexable() bool {
	return a.HomeAccountID != "" && a.Environment != ""
}

func (m *AppMetadata) indexable() bool {
	return m.Environment != "" && m.ClientID != ""
}
