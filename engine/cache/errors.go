package cache

import "errors"

// ErrIncomplete is returned when an entry lacks a field its key or its
// lookups need (environment and client_id for tokens and app metadata,
// home_account_id and environment for accounts).
var ErrIncomplete = errors.New("entry lacks fields needed for its key")

// ErrNotFound is returned when an entry to update is not in the cache.
var ErrNotFound = errors.New("entry not found")
