package idptest

import "time"

// state is everything the server remembers between requests. It is guarded
// by Server.mu.
type state struct {
	pending    map[string]*interaction    // sign-in page context id → sign-in in progress
	codes      map[string]*authCode       // authorization code → grant
	refresh    map[string]*refreshRecord  // refresh token → record
	devices    map[string]*deviceCode     // device_code → record
	userCodes  map[string]*deviceCode     // user_code → record
	sessions   map[string]*browserSession // session cookie → signed-in users
	consents   map[string]bool            // oid|client_id → consented
	challenges map[string]*claimsChallenge
	assertions map[string]*issuedAssertion // SAML AssertionID → what AD FS issued
	wsfed      map[string]*wsFedResult     // token AD FS posted back to the sign-in page
	clientJTIs map[string]int64            // client assertion jti → its exp, against replay
	arcKeyDir  string                      // where the emulated Arc agent writes challenge files
	// issued lists every secret handed out (tokens, codes, device codes), so
	// leak tests can look for each of them in logs, files and screens.
	issued []string
}

func newState() *state {
	return &state{
		pending:    map[string]*interaction{},
		codes:      map[string]*authCode{},
		refresh:    map[string]*refreshRecord{},
		devices:    map[string]*deviceCode{},
		userCodes:  map[string]*deviceCode{},
		sessions:   map[string]*browserSession{},
		consents:   map[string]bool{},
		challenges: map[string]*claimsChallenge{},
		assertions: map[string]*issuedAssertion{},
		wsfed:      map[string]*wsFedResult{},
		clientJTIs: map[string]int64{},
	}
}

// grant is what a token response is made from: who, for which app, with
// which scopes, and how the user authenticated.
type grant struct {
	user      *User
	tenant    *Tenant
	app       *App
	scopes    scopeRequest
	nonce     string
	authTime  time.Time
	mfa       bool
	claims    string // the claims request parameter, as sent
	grantType string
	federated bool // signed in at the federated domain's AD FS
	// withAuthTime puts auth_time in the id_token: Entra's v2 tokens carry
	// it only when the authorization request had max_age.
	withAuthTime bool
}

// authCode is an issued authorization code: single use, ten-minute life.
type authCode struct {
	grant         grant
	redirectURI   string
	codeChallenge string
	issued        time.Time
	redeemed      bool
}

// refreshRecord is the server's memory of a refresh token.
type refreshRecord struct {
	oid      string
	clientID string
	family   bool
	mfa      bool
	authTime time.Time
	lastUsed time.Time
	revoked  bool
}

// deviceCode is a pending device authorization.
type deviceCode struct {
	clientID  string
	tenant    string // authority tenant segment it was requested on
	scopes    scopeRequest
	claims    string
	userCode  string
	expires   time.Time
	lastPoll  time.Time
	approved  *grant
	declined  bool
	redeemed  bool
	createdAt time.Time
}

// browserSession is the emulator's SSO cookie: users signed in in this
// browser and when.
type browserSession struct {
	users []sessionUser
}

type sessionUser struct {
	oid      string
	authTime time.Time
	mfa      bool
}

// claimsChallenge is a step-up the admin API asked for: token requests for
// the user fail with interaction_required and these claims until a request
// carries them (only an interactive one, when interactive is set).
type claimsChallenge struct {
	claims      string
	policyID    string
	interactive bool
}

func consentKey(oid, clientID string) string { return oid + "|" + clientID }
