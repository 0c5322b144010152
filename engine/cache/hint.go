package cache

// Hint tells a store which account an operation is about, so a store that
// keeps accounts apart (one sealed record each) loads and saves only that
// part. The zero Hint means the whole cache.
type Hint struct {
	// HomeAccountID selects one account's entries, plus the entries every
	// account shares (app metadata, discovery metadata).
	HomeAccountID string
	// Shared selects only the entries no account owns (app metadata,
	// discovery metadata): what discovery and throttling read and write.
	Shared bool
}
