package backend

import (
	"context"
	"errors"
	"fmt"
)

// ErrNoActiveAccount means the cache store cannot keep an active account
// (a memory store); the vault can.
var ErrNoActiveAccount = errors.New("this account store keeps no active account")

// activeStore is a cache store that keeps the active account, as the vault
// does for `acctui use`.
type activeStore interface {
	ActiveAccount(ctx context.Context) (string, error)
	SetActiveAccount(ctx context.Context, homeAccountID string) error
}

// ActiveAccount returns the home account id of the active account, or ""
// when none is.
func (e *Engine) ActiveAccount(ctx context.Context) (string, error) {
	s, ok := e.store.(activeStore)
	if !ok {
		return "", ErrNoActiveAccount
	}
	id, err := s.ActiveAccount(ctx)
	if err != nil {
		return "", fmt.Errorf("active account: %w", err)
	}
	return id, nil
}

// SetActiveAccount makes the account the active one, as `acctui use` does.
func (e *Engine) SetActiveAccount(ctx context.Context, homeAccountID string) error {
	if isPrincipalID(homeAccountID) {
		return ErrPrincipalNotActive
	}
	s, ok := e.store.(activeStore)
	if !ok {
		return ErrNoActiveAccount
	}
	if err := s.SetActiveAccount(ctx, homeAccountID); err != nil {
		return fmt.Errorf("make active: %w", err)
	}
	return nil
}
