package engine

import (
	"errors"
	"fmt"
	"strings"
)

// AccountMismatchError means the identity provider answered a request made
// for one account with tokens of another (a different client_info, or an
// ID token for another user or tenant), or with tokens that name no
// account at all. Nothing of the answer was stored or returned.
type AccountMismatchError struct {
	// Want is the home account id the request was made for; empty for a
	// new sign-in.
	Want string
	// Got is the home account id the answer carries, if it names one.
	Got string
}

func (e *AccountMismatchError) Error() string {
	if e.Got == "" {
		return fmt.Sprintf("engine: the identity provider's answer does not say whose tokens it holds (asked for %q); nothing was stored", e.Want)
	}
	return fmt.Sprintf("engine: the identity provider answered with tokens for another account (%q, asked for %q); nothing was stored", e.Got, e.Want)
}

// ErrAccountMismatch matches every *AccountMismatchError with errors.Is.
var ErrAccountMismatch = errors.New("engine: tokens for another account")

// Is lets errors.Is(err, ErrAccountMismatch) match.
func (e *AccountMismatchError) Is(target error) bool { return target == ErrAccountMismatch }

// responseIdentity is who a token response says its tokens belong to.
type responseIdentity struct {
	// home is the home account id the cache files the tokens under:
	// client_info's uid.utid, else (as MSAL Python does when client_info
	// is missing) the ID token's sub.
	home string
	// info is the decoded client_info, when the answer had one.
	info    clientInfo
	hasInfo bool
	// oid, tid and sub are the ID token's claims, when it had one.
	oid, tid, sub string
	// scoped is set when home is a generic provider's issuer-scoped id,
	// which only an equal id matches.
	scoped bool
}

func identityOf(a Authority, tr *tokenResponse, idClaims map[string]any) responseIdentity {
	var id responseIdentity
	if a.isMicrosoft() {
		id.info, id.hasInfo = decodeClientInfo(tr.ClientInfo)
	}
	if idClaims != nil {
		id.oid, id.tid, id.sub = claimString(idClaims, "oid"), claimString(idClaims, "tid"), claimString(idClaims, "sub")
	}
	switch {
	case a.Kind == KindOIDC:
		// A sub is unique only within its issuer: two providers on one
		// host may both have a user "1". The issuer goes into the id.
		if id.sub != "" {
			id.home = oidcHomeAccountID(a.Issuer, id.sub)
			id.scoped = true
		}
	case id.hasInfo:
		id.home = id.info.homeAccountID()
	case id.sub != "":
		id.home = id.sub
	}
	return id
}

// consistent reports whether the ID token and client_info describe the same
// user: in the home tenant the ID token's oid is client_info's uid. In
// another tenant (a guest) the oid differs by design and is not compared.
func (id responseIdentity) consistent() bool {
	if !id.hasInfo || id.oid == "" || id.tid == "" || id.info.UTID == "" {
		return true
	}
	// B2C's uid is the object id and the policy: "<oid>-b2c_1_signin".
	return !strings.EqualFold(id.tid, id.info.UTID) || strings.EqualFold(id.oid, id.info.UID) ||
		strings.HasPrefix(strings.ToLower(id.info.UID), strings.ToLower(id.oid)+"-b2c_")
}

// matches reports whether the answer is for the account whose home account
// id is want. With client_info the ids must be equal; an account filed
// under its ID token's sub (signed in when client_info was missing) is
// matched by sub; without client_info the ID token must name the account,
// by sub or by oid and tid in its home tenant.
func (id responseIdentity) matches(want string) bool {
	if id.scoped {
		return strings.EqualFold(id.home, want)
	}
	// Entra's sub (base64url) holds no dot and uid.utid always does, so a
	// sub match never stands in for a client_info one.
	if id.sub != "" && !strings.Contains(want, ".") && strings.EqualFold(id.sub, want) {
		return true
	}
	if id.hasInfo {
		return strings.EqualFold(id.home, want)
	}
	return id.oid != "" && id.tid != "" && strings.EqualFold(id.oid+"."+id.tid, want)
}

// check decides whether an answer may be stored: it must name an
// account, agree with itself, and, when the request was made for an
// account, be that account's. It returns the home account id to file the
// tokens under.
func (id responseIdentity) check(want string) (string, error) {
	if id.home == "" {
		return "", &AccountMismatchError{Want: want}
	}
	if !id.consistent() {
		if want == "" {
			want = id.home
		}
		return "", &AccountMismatchError{Want: want, Got: id.oid + "." + id.tid}
	}
	if want == "" {
		return id.home, nil
	}
	if !id.matches(want) {
		return "", &AccountMismatchError{Want: want, Got: id.home}
	}
	// Stored under the account asked for, so an account filed under its
	// oid.tid or sub keeps one identity.
	return want, nil
}
