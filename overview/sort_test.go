package overview

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// SortAccounts puts accounts in username order, then home account id,
// ignoring case, whatever order they came in.
func TestSortAccountsInPlace(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 40 {
		list := make([]Account, n)
		for i := range list {
			list[i] = Account{Username: fmt.Sprintf("User%02d@x", r.IntN(8)), HomeAccountID: fmt.Sprintf("%03d.t", i)}
		}
		r.Shuffle(n, func(i, j int) { list[i], list[j] = list[j], list[i] })
		want := slices.Clone(list)
		slices.SortFunc(want, func(a, b Account) int {
			if c := strings.Compare(strings.ToLower(a.Username), strings.ToLower(b.Username)); c != 0 {
				return c
			}
			return strings.Compare(strings.ToLower(a.HomeAccountID), strings.ToLower(b.HomeAccountID))
		})
		SortAccounts(list)
		for i := range list {
			if list[i].HomeAccountID != want[i].HomeAccountID {
				t.Fatalf("%d accounts: position %d holds %s, want %s", n, i, list[i].HomeAccountID, want[i].HomeAccountID)
			}
		}
	}
}
