package main

import (
	"context"
	"errors"
	"fmt"

	"acctui/engine"
	"acctui/internal/safetext"
)

// accountForToken picks the account a silent token is for (token,
// git-credential, the exec credential). For a script an account that was
// never signed in needs a sign-in: exit 4 with the command to run.
func (a *app) accountForToken(ctx context.Context, wanted string) (engine.Account, error) {
	acct, err := a.pickAccount(ctx, wanted)
	if errors.Is(err, errUnknownAccount) {
		return engine.Account{}, interactionError{fmt.Errorf("%w; sign in with: acctui login --username %s", err, safetext.Line(wanted))}
	}
	return acct, err
}
