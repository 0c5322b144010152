package cache

// Hint tells a store which account an operation is about, so a store that
// keeps accounts apart (one sealed record each) loads and saves only that
// part. The zero Hint means the whole cache. A store may always return
// more than a hint asks for; a caller must not rely on what is left out.
type Hint struct {
	// HomeAccountID selects one account's entries, plus the entries every
	// account shares (app metadata, discovery metadata).
	HomeAccountID string
	// Realm, with HomeAccountID, narrows that account to one tenant: the
	// store may leave out the account's access tokens, ID tokens and
	// Account entries whose realm is neither Realm nor the home tenant
	// (the utid of HomeAccountID), compared ignoring case. Entries without
	// a realm (refresh tokens) and the shared entries are always there.
	// So FindAccessToken and FindIDToken with this realm, FindAccounts'
	// home-tenant entry and the refresh tokens are what the whole account
	// gives; the list of every tenant the account has entries in is not.
	// A write with Realm saves what the callback changed; the entries it
	// was not given stay as they are.
	Realm string
	// Shared selects only the entries no account owns (app metadata,
	// discovery metadata): what discovery and throttling read and write.
	Shared bool
}
