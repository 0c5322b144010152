package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"acctui/engine"
	"acctui/internal/safetext"
	"acctui/vault"
)

// accountForToken picks the account a silent token is for (token,
// git-credential, the exec credential). For a script an account that was
// never signed in needs a sign-in: exit 4 with the command to run. A name
// close to one in the vault is a typo instead: exit 2 with the name. When
// several accounts match, the active one answers if it is among them.
func (a *app) accountForToken(ctx context.Context, wanted string) (engine.Account, error) {
	acct, err := a.pickAccount(ctx, wanted)
	var several severalAccountsError
	if errors.As(err, &several) {
		if active, ok, aerr := a.activeAmong(ctx, several.candidates); aerr != nil {
			return engine.Account{}, aerr
		} else if ok {
			return active, nil
		}
	}
	var unknown unknownAccountError
	if errors.As(err, &unknown) && unknown.nearest != "" {
		return engine.Account{}, usageError{err}
	}
	if errors.Is(err, errUnknownAccount) {
		return engine.Account{}, interactionError{fmt.Errorf("%w; sign in with: acctui login --username %s", err, safetext.Line(wanted))}
	}
	return acct, err
}

// unknownAccountError is errUnknownAccount with the nearest name the vault
// knows, when one is near enough to be what was meant.
type unknownAccountError struct{ wanted, nearest string }

func (e unknownAccountError) Error() string {
	msg := fmt.Sprintf("%s: %q", errUnknownAccount, safetext.Line(e.wanted))
	if e.nearest != "" {
		msg += "; did you mean " + safetext.Line(e.nearest) + "?"
	}
	return msg
}

func (e unknownAccountError) Is(target error) bool { return target == errUnknownAccount }

// unknownAccount is the error for --account naming no account, with the
// closest username from the vault's index.
func unknownAccount(ctx context.Context, v *vault.Vault, wanted string) error {
	summaries, err := v.Accounts(ctx)
	if err != nil {
		return unknownAccountError{wanted: wanted}
	}
	var names []string
	for _, s := range summaries {
		names = append(names, s.Usernames...)
	}
	return unknownAccountError{wanted: wanted, nearest: nearestName(wanted, names)}
}

// nearestName is the name wanted most likely meant: the one whose user
// part (before @) it is, or the one within two edits, ignoring case; ""
// when none is near or two are equally near.
func nearestName(wanted string, names []string) string {
	w := strings.ToLower(wanted)
	best, bestDist, tie := "", 3, false
	for _, n := range names {
		l := strings.ToLower(n)
		d := editDistance(w, l)
		if user, _, ok := strings.Cut(l, "@"); ok && user == w {
			d = 0
		}
		switch {
		case d < bestDist:
			best, bestDist, tie = n, d, false
		case d == bestDist && n != best:
			tie = true
		}
	}
	if tie {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
