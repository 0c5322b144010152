package vault

import (
	"strconv"

	"acctui/engine/cache"
	"acctui/overview"
)

// quickFact reads a credential's listing entry with the vault's scanner
// instead of the cache's decoder (an import lists tens of thousands): it
// takes the common shape only, string members as JSON strings and numbers
// as digits, in a string or not, and says false for anything else, which
// factOf then reads the cache's way. Both give the same entry
// (TestQuickFactAgreesWithTheCache).
func quickFact(c cred) (overview.Entry, bool) {
	var f struct {
		home, env, realm, client, target, family, username, secret string
		expires, modified                                          int64
	}
	ok := true
	err := eachMember(c.val, func(key string, val []byte) error {
		var dst *string
		switch key {
		case "home_account_id":
			dst = &f.home
		case "environment":
			dst = &f.env
		case "realm":
			dst = &f.realm
		case "client_id":
			dst = &f.client
		case "target":
			dst = &f.target
		case "family_id":
			dst = &f.family
		case "username":
			dst = &f.username
		case "secret":
			dst = &f.secret
		case "expires_on", "last_modification_time":
			n, good := digits(val)
			if key == "expires_on" {
				f.expires = n
			} else {
				f.modified = n
			}
			ok = ok && good
			return nil
		default:
			return nil
		}
		if len(val) == 0 || val[0] != '"' {
			ok = false
			return nil
		}
		s, err := decodeString(val)
		*dst = s
		return err
	})
	if err != nil || !ok || c.whole {
		return overview.Entry{}, false
	}
	switch c.section {
	case cache.SectionAccount:
		return overview.AccountEntry(cache.Account{HomeAccountID: f.home, Environment: f.env, Realm: f.realm, Username: f.username}), true
	case cache.SectionAccessToken:
		return overview.AccessEntry(cache.AccessToken{HomeAccountID: f.home, Environment: f.env, Realm: f.realm, ClientID: f.client,
			Target: f.target, ExpiresOn: f.expires}), true
	case cache.SectionRefreshToken:
		return overview.RefreshEntry(cache.RefreshToken{HomeAccountID: f.home, Environment: f.env, ClientID: f.client,
			Target: f.target, FamilyID: f.family, LastModificationTime: f.modified}), true
	case cache.SectionIDToken:
		return overview.IDEntry(cache.IDToken{HomeAccountID: f.home, Environment: f.env, Realm: f.realm, ClientID: f.client,
			Secret: cache.Secret(f.secret)}), true
	}
	return overview.Entry{}, false
}

// digits reads a JSON number or string made of decimal digits only.
func digits(val []byte) (int64, bool) {
	if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
		val = val[1 : len(val)-1]
	}
	if len(val) == 0 || len(val) > 18 {
		return 0, false
	}
	for _, b := range val {
		if b < '0' || b > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(val), 10, 64)
	return n, err == nil
}
