package vault

import "context"

// AccountKey is the key of the account with homeAccountID in the accounts
// bucket, and the prefix of its keys in the records bucket. The vault's
// key must be unlocked (any read does it).
func (v *Vault) AccountKey(homeAccountID string) []byte {
	t := recordTag(v.lookup, recordID(homeAccountID))
	return t[:]
}

// NameKey is the key of name (a username or home account id) of the
// account with homeAccountID in the names bucket.
func (v *Vault) NameKey(name, homeAccountID string) []byte {
	nt := nameTag(v.lookup, name)
	return append(nt[:], v.AccountKey(homeAccountID)...)
}

// SetPathGuard turns the page guard (pathguard.go) on or off until restore
// is called.
func SetPathGuard(on bool) (restore func()) {
	old := pathGuardOff
	pathGuardOff = !on
	return func() { pathGuardOff = old }
}

// CompactNow compacts the format 3 file as a write past the threshold
// does, under the lock file and bbolt's exclusive lock.
func (v *Vault) CompactNow(ctx context.Context) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	unlock, err := v.lockFile(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	db, err := v.openStore(ctx, true, false)
	if err != nil {
		return err
	}
	defer db.Close()
	return v.guarded(func() error { return v.compact(db) })
}
