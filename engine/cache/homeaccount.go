package cache

import "strings"

// SplitHomeAccountID splits a home account id, "<uid>.<utid>" as MSAL
// builds it from client_info, into the user's object id and home tenant
// id. It splits at the last dot: a tenant id never has one, while uid is
// whatever the identity provider chose. ok is false when either part is
// missing.
func SplitHomeAccountID(homeAccountID string) (uid, utid string, ok bool) {
	i := strings.LastIndex(homeAccountID, ".")
	if i <= 0 || i == len(homeAccountID)-1 {
		return "", "", false
	}
	return homeAccountID[:i], homeAccountID[i+1:], true
}

// HomeTenant is the home tenant id in a home account id, "" when it has
// none.
func HomeTenant(homeAccountID string) string {
	_, utid, _ := SplitHomeAccountID(homeAccountID)
	return utid
}
