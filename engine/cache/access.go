package cache

import "strings"

// AccessTokenQuery selects access tokens. HomeAccountID is matched exactly
// (ignoring case; "" selects app-only tokens). Other empty fields match
// anything, except KeyID and TokenType, which keep SSH-certificate and PoP
// tokens out of Bearer lookups.
type AccessTokenQuery struct {
	HomeAccountID string
	// Environments are the authority host and its aliases, in order of
	// preference; none means any environment.
	Environments []string
	ClientID     string
	Realm        string
	// Scopes must all be in the entry's target (case-insensitive).
	Scopes []string
	// KeyID must equal the entry's key_id; "" matches entries without one.
	KeyID string
	// TokenType must equal the entry's token_type ignoring case; "" means
	// Bearer, which also matches entries without a token_type.
	TokenType string
}

func (q *AccessTokenQuery) matches(at *AccessToken) bool {
	return (q.ClientID == "" || strings.EqualFold(at.ClientID, q.ClientID)) &&
		(q.Realm == "" || strings.EqualFold(at.Realm, q.Realm)) &&
		at.KeyID == q.KeyID &&
		strings.EqualFold(tokenTypeOrBearer(at.TokenType), tokenTypeOrBearer(q.TokenType)) &&
		targetContainsAll(at.Target, q.Scopes)
}

func tokenTypeOrBearer(t string) string {
	if t == "" {
		return TokenTypeBearer
	}
	return t
}

// eachAccessToken yields every indexed access token matching q with its key.
func (c *Cache) eachAccessToken(q *AccessTokenQuery, yield func(string, *AccessToken)) {
	for b := range c.idx.buckets(q.HomeAccountID, q.Environments) {
		for key := range b.accessTokens.keys(strings.ToLower(q.ClientID), q.ClientID == "") {
			if at := c.accessTokens.entries[key]; q.matches(at) {
				yield(key, at)
			}
		}
	}
}

// FindAccessToken returns the matching access token that expires last
// (ties broken by key). Expiry is not checked: the engine decides what is
// fresh enough, and may want an aging token as a fallback.
func (c *Cache) FindAccessToken(q AccessTokenQuery) (AccessToken, bool) {
	var bestKey string
	var best *AccessToken
	c.eachAccessToken(&q, func(key string, at *AccessToken) {
		if best == nil || at.ExpiresOn > best.ExpiresOn || (at.ExpiresOn == best.ExpiresOn && key < bestKey) {
			bestKey, best = key, at
		}
	})
	if best == nil {
		return AccessToken{}, false
	}
	return best.value(), true
}

// FindAccessTokens returns every matching access token, latest expiry
// first (ties broken by key).
func (c *Cache) FindAccessTokens(q AccessTokenQuery) []AccessToken {
	var found []keyed[AccessToken]
	c.eachAccessToken(&q, func(key string, at *AccessToken) {
		found = append(found, keyed[AccessToken]{key, at})
	})
	sortKeyed(found, func(at *AccessToken) int64 { return at.ExpiresOn })
	return values(found)
}

// SaveAccessToken stores a copy of at under its canonical key, replacing
// any entry there. Target is normalised (see NewScopeSet) and an empty
// TokenType becomes "Bearer", as MSAL Python writes them.
func (c *Cache) SaveAccessToken(at AccessToken) error {
	at.Target = NormalizeTarget(at.Target)
	if at.TokenType == "" {
		at.TokenType = TokenTypeBearer
	}
	c.removeSameScopesUnderOtherKeys(at)
	return save(c, &c.accessTokens, &at, "access token")
}

// removeSameScopesUnderOtherKeys drops entries the new token replaces but
// that sit under another key: MSAL Python before 1.31 keeps the server's
// scope order in the target (and so in the key), and Entra's answers list
// several scopes, so its entry for the same scopes would otherwise stay
// beside ours, stale.
func (c *Cache) removeSameScopesUnderOtherKeys(at AccessToken) {
	q := AccessTokenQuery{HomeAccountID: at.HomeAccountID, Environments: []string{at.Environment}, ClientID: at.ClientID,
		Realm: at.Realm, Scopes: strings.Fields(at.Target), KeyID: at.KeyID, TokenType: at.TokenType}
	key := at.Key()
	var stale []string
	c.eachAccessToken(&q, func(k string, e *AccessToken) {
		if k != key && strings.EqualFold(NormalizeTarget(e.Target), at.Target) && strings.EqualFold(e.Realm, at.Realm) {
			stale = append(stale, k)
		}
	})
	for _, k := range stale {
		remove(c, &c.accessTokens, k)
	}
}

// RemoveAccessToken deletes the entry stored under at.Key() and reports
// whether there was one.
func (c *Cache) RemoveAccessToken(at AccessToken) bool {
	return remove(c, &c.accessTokens, at.Key())
}
