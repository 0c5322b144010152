package accounts

import (
	"slices"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/list"

	"acctui/internal/safetext"
	"acctui/overview"
)

// TenantLabel names where an account lives for people: a generic
// provider's issuer; else the domain of its username (the tenant's name is
// not in the cache), else the tenant id, with the authority type when it
// is not plain Entra (B2C, AD FS, External ID).
func TenantLabel(a overview.Account) string {
	if a.Issuer != "" {
		return safetext.Line(a.Issuer)
	}
	label := a.TenantID
	if _, domain, ok := strings.Cut(a.Username, "@"); ok && domain != "" && a.Principal == "" {
		label = domain
	}
	if a.AuthorityLabel != "" {
		label += " (" + a.AuthorityLabel + ")"
	}
	return safetext.Line(label)
}

// secondLine is what a row shows under the name: the username, or an app's
// or identity's kind.
func secondLine(a overview.Account) string {
	if a.Principal != "" {
		return safetext.Line(a.Principal)
	}
	return safetext.Line(a.Username)
}

// title is the name a row shows: the display name, else the username.
func title(a overview.Account) string {
	if a.Name != "" {
		return safetext.Line(a.Name)
	}
	return safetext.Line(a.Username)
}

// filterParts are the texts a row shows and the filter matches, in the
// order FilterValue joins them.
func filterParts(a overview.Account) [3]string {
	return [3]string{title(a), secondLine(a), TenantLabel(a)}
}

// substringFilter matches the term as typed, case-insensitively, inside
// what rows show (name, username, tenant domain) — no fuzzy letters spread
// over a GUID — and reports where, for highlighting.
func substringFilter(term string, targets []string) []list.Rank {
	term = strings.ToLower(strings.TrimSpace(term))
	if term == "" {
		ranks := make([]list.Rank, len(targets))
		for i := range targets {
			ranks[i] = list.Rank{Index: i}
		}
		return ranks
	}
	n := utf8.RuneCountInString(term)
	var ranks []list.Rank
	for i, t := range targets {
		lower := strings.ToLower(t)
		at := strings.Index(lower, term)
		if at < 0 || len(lower) != len(t) {
			// A case change that alters byte lengths: match, no highlight.
			if at >= 0 {
				ranks = append(ranks, list.Rank{Index: i})
			}
			continue
		}
		start := utf8.RuneCountInString(t[:at])
		idx := make([]int, n)
		for k := range idx {
			idx[k] = start + k
		}
		ranks = append(ranks, list.Rank{Index: i, MatchedIndexes: idx})
	}
	return ranks
}

// SortOrder is how the list is ordered.
type SortOrder int

// The orders the sort key cycles through.
const (
	SortByName SortOrder = iota
	SortByTenant
	SortByExpiry
	sortOrders
)

func (o SortOrder) String() string {
	return [...]string{"name", "tenant", "expiry"}[o]
}

// sortAccounts orders a copy of the list.
func sortAccounts(in []overview.Account, by SortOrder) []overview.Account {
	out := slices.Clone(in)
	name := func(a overview.Account) string { return strings.ToLower(title(a)) }
	slices.SortStableFunc(out, func(a, b overview.Account) int {
		switch by {
		case SortByTenant:
			if c := strings.Compare(strings.ToLower(TenantLabel(a)), strings.ToLower(TenantLabel(b))); c != 0 {
				return c
			}
		case SortByExpiry:
			// Soonest first; accounts without a valid token (zero time) first
			// of all, as they need attention.
			if c := a.ExpiresOn.Compare(b.ExpiresOn); c != 0 {
				return c
			}
		}
		return strings.Compare(name(a), name(b))
	})
	return out
}
