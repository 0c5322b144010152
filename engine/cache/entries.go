package cache

import (
	"encoding/json"
	"log/slog"
	"maps"
)

// Section names of the unified cache's top-level object.
const (
	// SectionAccessToken holds AccessToken entries.
	SectionAccessToken = "AccessToken"
	// SectionRefreshToken holds RefreshToken entries.
	SectionRefreshToken = "RefreshToken"
	// SectionIDToken holds IDToken entries; MSAL spells it "IdToken".
	SectionIDToken = "IdToken"
	// SectionAccount holds Account entries.
	SectionAccount = "Account"
	// SectionAppMetadata holds AppMetadata entries.
	SectionAppMetadata = "AppMetadata"
	// SectionMetadata is acctui's own section for the engine's discovery
	// cache. MSAL Python keeps unknown top-level sections untouched.
	SectionMetadata = "AcctuiMetadata"
)

// Authority types an Account entry can carry.
const (
	// AuthorityTypeMSSTS marks an Entra ID (AAD or MSA) account.
	AuthorityTypeMSSTS = "MSSTS"
	// AuthorityTypeADFS marks an AD FS account.
	AuthorityTypeADFS = "ADFS"
)

// TokenTypeBearer is the default token_type of an access token.
const TokenTypeBearer = "Bearer"

// AccessToken is an entry of the "AccessToken" section. Timestamps are epoch
// seconds; 0 means absent.
type AccessToken struct {
	HomeAccountID string
	Environment   string
	ClientID      string
	// Realm is the tenant path segment of the token endpoint used
	// ("organizations", "common" or a tenant id); ATs are cached per realm.
	Realm string
	// Target is the space-joined scope list the token is good for.
	// SaveAccessToken sorts it; entries read from a file keep their order,
	// because older MSAL Python wrote unsorted targets into the key too.
	Target            string
	Secret            Secret
	TokenType         string // "" reads as "Bearer"
	CachedAt          int64
	ExpiresOn         int64
	ExtendedExpiresOn int64
	RefreshOn         int64
	KeyID             string // set for SSH-certificate and PoP tokens
	// Extra holds every JSON member this package does not model, verbatim,
	// so another client's fields survive a round trip.
	Extra map[string]json.RawMessage
}

// RefreshToken is an entry of the "RefreshToken" section. Refresh tokens
// are tenant-independent, so the entry has no realm.
type RefreshToken struct {
	HomeAccountID string
	Environment   string
	ClientID      string
	// Target is the scope string the token was obtained for; MSAL Python puts
	// it into the key.
	Target   string
	Secret   Secret
	FamilyID string // "1" for family (FOCI) refresh tokens
	// LastModificationTime orders candidates: the newest is tried first.
	LastModificationTime int64
	// Extra holds JSON members this package does not model.
	Extra map[string]json.RawMessage
}

// IDToken is an entry of the "IdToken" section.
type IDToken struct {
	HomeAccountID string
	Environment   string
	Realm         string
	ClientID      string
	Secret        Secret
	// Extra holds JSON members this package does not model.
	Extra map[string]json.RawMessage
}

// Account is an entry of the "Account" section: one per home account,
// environment and realm. MSAL Go's name, given_name, client_info and similar
// members are kept in Extra.
type Account struct {
	HomeAccountID  string
	Environment    string
	Realm          string
	LocalAccountID string // oid, else sub
	Username       string // preferred_username, else upn
	AuthorityType  string // AuthorityTypeMSSTS or AuthorityTypeADFS
	AccountSource  string // grant type that created it, when MSAL Python knew it
	// Extra holds JSON members this package does not model.
	Extra map[string]json.RawMessage
}

// AppMetadata is an entry of the "AppMetadata" section. Its FamilyID tells
// whether the app belongs to the FOCI family, which decides whether family
// refresh tokens are tried first.
type AppMetadata struct {
	ClientID    string
	Environment string
	FamilyID    string
	// Extra holds JSON members this package does not model.
	Extra map[string]json.RawMessage
}

// value returns a copy whose Extra map is not shared, so a caller editing
// a looked-up entry cannot change the cache behind the index's back. It
// returns a value, not a pointer, so a lookup need not allocate.
func (at *AccessToken) value() AccessToken {
	c := *at
	c.Extra = maps.Clone(at.Extra)
	return c
}

func (rt *RefreshToken) value() RefreshToken {
	c := *rt
	c.Extra = maps.Clone(rt.Extra)
	return c
}

func (it *IDToken) value() IDToken {
	c := *it
	c.Extra = maps.Clone(it.Extra)
	return c
}

func (a *Account) value() Account {
	c := *a
	c.Extra = maps.Clone(a.Extra)
	return c
}

func (m *AppMetadata) value() AppMetadata {
	c := *m
	c.Extra = maps.Clone(m.Extra)
	return c
}

// clone is value on the heap, for storing.
func (at *AccessToken) clone() *AccessToken   { c := at.value(); return &c }
func (rt *RefreshToken) clone() *RefreshToken { c := rt.value(); return &c }
func (it *IDToken) clone() *IDToken           { c := it.value(); return &c }
func (a *Account) clone() *Account            { c := a.value(); return &c }
func (m *AppMetadata) clone() *AppMetadata    { c := m.value(); return &c }

// stamp says how new an entry is when two collapse onto one key.
func (at *AccessToken) stamp() int64  { return at.CachedAt }
func (rt *RefreshToken) stamp() int64 { return rt.LastModificationTime }
func (it *IDToken) stamp() int64      { return 0 }
func (a *Account) stamp() int64       { return 0 }
func (m *AppMetadata) stamp() int64   { return 0 }

// LogValue lets log/slog show the entry without its secret.
func (at AccessToken) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("home_account_id", at.HomeAccountID),
		slog.String("environment", at.Environment),
		slog.String("client_id", at.ClientID),
		slog.String("realm", at.Realm),
		slog.String("target", at.Target),
		slog.Int64("expires_on", at.ExpiresOn),
		slog.String("secret", redacted),
	)
}

// LogValue lets log/slog show the entry without its secret.
func (rt RefreshToken) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("home_account_id", rt.HomeAccountID),
		slog.String("environment", rt.Environment),
		slog.String("client_id", rt.ClientID),
		slog.String("family_id", rt.FamilyID),
		slog.Int64("last_modification_time", rt.LastModificationTime),
		slog.String("secret", redacted),
	)
}

// LogValue lets log/slog show the entry without its secret.
func (it IDToken) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("home_account_id", it.HomeAccountID),
		slog.String("environment", it.Environment),
		slog.String("realm", it.Realm),
		slog.String("client_id", it.ClientID),
		slog.String("secret", redacted),
	)
}

// LogValue gives log/slog the identifying fields only; Extra may hold
// client_info and names that logs do not need.
func (a Account) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("home_account_id", a.HomeAccountID),
		slog.String("environment", a.Environment),
		slog.String("realm", a.Realm),
		slog.String("username", a.Username),
	)
}
