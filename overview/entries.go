package overview

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"acctui/engine/cache"
)

// KindAccount marks an Entry made from an Account entry (one per tenant a
// home account signed in to); it never appears in Account.Tokens.
const KindAccount Kind = "account"

// Entry is what the overview needs of one cached entry of a home account,
// without its secret: a store can keep entries beside the tokens and list
// accounts from them without opening a token (the vault does).
type Entry struct {
	Kind Kind
	// Key is the entry's cache key in lower case: it orders ties as the
	// cache does. A store may leave it empty; it is then made from the
	// fields when a tie needs it.
	Key           string
	HomeAccountID string
	Environment   string
	Realm         string
	ClientID      string
	Target        string // access and refresh tokens
	FamilyID      string // refresh tokens
	Username      string // Account entries
	Name          string // the ID token's name claim
	// ExpiresOn is an access token's expires_on or an ID token's exp claim
	// in Unix seconds; 0 when it has none.
	ExpiresOn int64
	Modified  int64 // a refresh token's last_modification_time
}

// EntriesOf returns the entries of one home account in c.
func EntriesOf(c *cache.Cache, home string) []Entry {
	var out []Entry
	for _, a := range c.FindAccounts(cache.AccountQuery{HomeAccountID: home}) {
		out = append(out, AccountEntry(a))
	}
	for _, at := range c.FindAccessTokens(cache.AccessTokenQuery{HomeAccountID: home}) {
		out = append(out, AccessEntry(at))
	}
	for _, rt := range c.FindRefreshTokens(cache.RefreshTokenQuery{HomeAccountID: home}) {
		out = append(out, RefreshEntry(rt))
	}
	for _, it := range c.FindIDTokens(cache.IDTokenQuery{HomeAccountID: home}) {
		out = append(out, IDEntry(it))
	}
	return out
}

// AccountEntry is the Entry of an Account entry.
func AccountEntry(a cache.Account) Entry {
	return Entry{Kind: KindAccount, Key: strings.ToLower(a.Key()), HomeAccountID: a.HomeAccountID,
		Environment: a.Environment, Realm: a.Realm, Username: a.Username}
}

// AccessEntry is the Entry of an access token.
func AccessEntry(at cache.AccessToken) Entry {
	return Entry{Kind: KindAccess, Key: strings.ToLower(at.Key()), HomeAccountID: at.HomeAccountID, Environment: at.Environment,
		Realm: at.Realm, ClientID: at.ClientID, Target: at.Target, ExpiresOn: at.ExpiresOn}
}

// RefreshEntry is the Entry of a refresh token.
func RefreshEntry(rt cache.RefreshToken) Entry {
	return Entry{Kind: KindRefresh, Key: strings.ToLower(rt.Key()), HomeAccountID: rt.HomeAccountID, Environment: rt.Environment,
		ClientID: rt.ClientID, Target: rt.Target, FamilyID: rt.FamilyID, Modified: rt.LastModificationTime}
}

// IDEntry is the Entry of an ID token: its name and exp claims, read
// without checking the signature (it only labels the account).
func IDEntry(it cache.IDToken) Entry {
	e := Entry{Kind: KindID, Key: strings.ToLower(it.Key()), HomeAccountID: it.HomeAccountID, Environment: it.Environment,
		Realm: it.Realm, ClientID: it.ClientID}
	if name, exp, ok := idTokenClaims(it.Secret.Reveal()); ok {
		e.Name, e.ExpiresOn = name, exp
	}
	return e
}

// Assemble lists the home accounts the entries describe, sorted by
// username (SortAccounts): those with at least one Account entry, each
// with its tokens and their states at now.
func Assemble(entries []Entry, now time.Time) []Account {
	out := AppendAssembled(nil, entries, now)
	SortAccounts(out)
	return out
}

// AppendAssembled appends the accounts the entries describe to dst,
// unsorted: a store can assemble account by account and keep only the
// accounts, then sort them once.
func AppendAssembled(dst []Account, entries []Entry, now time.Time) []Account {
	if oneHome(entries) {
		// A store hands an account at a time: no map.
		var g homeEntries
		for i := range entries {
			g.add(&entries[i])
		}
		if len(g.accounts) > 0 {
			dst = append(dst, g.assemble(now))
		}
		return dst
	}
	groups := map[string]*homeEntries{}
	var homes []*homeEntries
	var g *homeEntries
	for i := range entries {
		e := &entries[i]
		// Stores hand entries over account by account: look the home up
		// only when it changes.
		if g == nil || i == 0 || e.HomeAccountID != entries[i-1].HomeAccountID {
			g = groups[e.HomeAccountID]
		}
		if g == nil {
			home := strings.ToLower(e.HomeAccountID)
			if g = groups[home]; g == nil {
				g = &homeEntries{}
				groups[home] = g
				homes = append(homes, g)
			}
			groups[e.HomeAccountID] = g
		}
		g.add(e)
	}
	for _, g := range homes {
		if len(g.accounts) > 0 { // tokens of no account are not listed
			dst = append(dst, g.assemble(now))
		}
	}
	return dst
}

// SortAccounts orders accounts by username, then home account id,
// ignoring case.
func SortAccounts(list []Account) {
	type sortKey struct{ username, home string }
	keys := make([]sortKey, len(list))
	idx := make([]int, len(list))
	for i, a := range list {
		keys[i] = sortKey{strings.ToLower(a.Username), strings.ToLower(a.HomeAccountID)}
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		return CompareSortKeys(keys[i].username, keys[i].home, keys[j].username, keys[j].home)
	})
	// Put each account where idx says, cycle by cycle, in place: a copy
	// of the list would be 12 MB more at 50 000 accounts.
	for i := range idx {
		if idx[i] < 0 {
			continue
		}
		tmp := list[i]
		j := i
		for idx[j] != i {
			list[j] = list[idx[j]]
			next := idx[j]
			idx[j] = -1
			j = next
		}
		list[j] = tmp
		idx[j] = -1
	}
}

// oneHome reports whether every entry has the first one's home account
// id, spelled the same.
func oneHome(entries []Entry) bool {
	for i := range entries {
		if entries[i].HomeAccountID != entries[0].HomeAccountID {
			return false
		}
	}
	return true
}

// homeEntries are one home account's entries by kind.
type homeEntries struct {
	accounts, access, refresh, id []*Entry
}

// add files e by its kind.
func (g *homeEntries) add(e *Entry) {
	switch e.Kind {
	case KindAccount:
		g.accounts = append(g.accounts, e)
	case KindAccess:
		g.access = append(g.access, e)
	case KindRefresh:
		g.refresh = append(g.refresh, e)
	case KindID:
		g.id = append(g.id, e)
	}
}

// assemble makes the account, ordering its tokens as the cache's queries
// do: access tokens by expiry, newest first, refresh tokens by last
// change, then one ID token per tenant.
func (g *homeEntries) assemble(now time.Time) Account {
	first, username := identity(g.accounts)
	a := Account{HomeAccountID: first.HomeAccountID, Username: username, Environment: first.Environment, TenantID: cache.HomeTenant(first.HomeAccountID)}
	if n := len(g.access) + len(g.refresh) + len(g.id); n > 0 {
		a.Tokens = make([]Token, 0, n)
	}
	for _, e := range g.accounts {
		a.Realms = appendUnique(a.Realms, e.Realm)
	}
	newestFirst := func(at func(*Entry) int64) func(x, y *Entry) int {
		return func(x, y *Entry) int { return cmp.Or(cmp.Compare(at(y), at(x)), cmp.Compare(x.key(), y.key())) }
	}
	slices.SortFunc(g.access, newestFirst(func(e *Entry) int64 { return e.ExpiresOn }))
	for _, e := range g.access {
		exp := time.Unix(e.ExpiresOn, 0)
		a.Tokens = append(a.Tokens, Token{Kind: KindAccess, ClientID: e.ClientID, Environment: e.Environment,
			Realm: e.Realm, Scopes: strings.Fields(e.Target), ExpiresOn: exp, Status: statusAt(exp, now)})
	}
	slices.SortFunc(g.refresh, newestFirst(func(e *Entry) int64 { return e.Modified }))
	for _, e := range g.refresh {
		a.Tokens = append(a.Tokens, Token{Kind: KindRefresh, ClientID: e.ClientID, Environment: e.Environment,
			Scopes: strings.Fields(e.Target), FamilyID: e.FamilyID, Status: StatusHeld})
	}
	for _, realm := range a.Realms {
		e := g.idToken(realm)
		if e == nil {
			continue
		}
		if a.Name == "" {
			a.Name = e.Name
		}
		tok := Token{Kind: KindID, ClientID: e.ClientID, Environment: e.Environment, Realm: e.Realm, Status: StatusValid}
		if e.ExpiresOn != 0 {
			tok.ExpiresOn = time.Unix(e.ExpiresOn, 0)
			tok.Status = statusAt(tok.ExpiresOn, now)
		}
		a.Tokens = append(a.Tokens, tok)
	}
	a.Status, a.ExpiresOn = summarise(a.Tokens)
	slices.SortStableFunc(a.Tokens, func(x, y Token) int { return cmp.Compare(x.Kind, y.Kind) })
	return a
}

// identity sorts a home account's Account entries (at least one) as the
// cache orders them and returns the first, whose home account id and
// environment the account takes, and the first username among them.
func identity(accounts []*Entry) (first *Entry, username string) {
	slices.SortFunc(accounts, func(x, y *Entry) int { return cmp.Compare(x.key(), y.key()) })
	for _, e := range accounts {
		if e.Username != "" {
			username = e.Username
			break
		}
	}
	return accounts[0], username
}

// SortKey is what SortAccounts orders the account the entries of one home
// account make by (username, then home account id, in lower case),
// without assembling it; false when the entries make no account (they
// hold no Account entry).
func SortKey(entries []Entry) (username, home string, ok bool) {
	var accounts []*Entry
	for i := range entries {
		if entries[i].Kind == KindAccount {
			accounts = append(accounts, &entries[i])
		}
	}
	if len(accounts) == 0 {
		return "", "", false
	}
	first, username := identity(accounts)
	return strings.ToLower(username), strings.ToLower(first.HomeAccountID), true
}

// CompareSortKeys orders two SortKey results as SortAccounts orders
// accounts.
func CompareSortKeys(username1, home1, username2, home2 string) int {
	return cmp.Or(cmp.Compare(username1, username2), cmp.Compare(home1, home2))
}

// idToken picks the realm's ID token as cache.FindIDToken does: from the
// first environment (in sorted order) that has one, the smallest key.
func (g *homeEntries) idToken(realm string) *Entry {
	var best *Entry
	for _, e := range g.id {
		if !strings.EqualFold(e.Realm, realm) {
			continue
		}
		if best == nil {
			best = e
			continue
		}
		env, bestEnv := strings.ToLower(e.Environment), strings.ToLower(best.Environment)
		if env < bestEnv || env == bestEnv && e.key() < best.key() {
			best = e
		}
	}
	return best
}

// key is e.Key, made from the fields when the store left it out.
func (e *Entry) key() string {
	if e.Key != "" {
		return e.Key
	}
	var k string
	switch e.Kind {
	case KindAccount:
		k = cache.Account{HomeAccountID: e.HomeAccountID, Environment: e.Environment, Realm: e.Realm}.Key()
	case KindAccess:
		k = cache.AccessToken{HomeAccountID: e.HomeAccountID, Environment: e.Environment, ClientID: e.ClientID, Realm: e.Realm, Target: e.Target}.Key()
	case KindRefresh:
		k = cache.RefreshToken{HomeAccountID: e.HomeAccountID, Environment: e.Environment, ClientID: e.ClientID, Target: e.Target}.Key()
	case KindID:
		k = cache.IDToken{HomeAccountID: e.HomeAccountID, Environment: e.Environment, ClientID: e.ClientID, Realm: e.Realm}.Key()
	}
	e.Key = strings.ToLower(k)
	return e.Key
}
