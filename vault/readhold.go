package vault

import (
	"os"

	bolt "go.etcd.io/bbolt"
)

// A command that reads the vault twice in a row, such as `acctui token
// --account NAME` (is the name a service principal, and which account is
// it; then the account's token), can have both reads share one open of
// the file: half the cost of opening and checking it, on the path that
// must answer in a few milliseconds.
//
// Between the two reads the process holds bbolt's shared lock on the
// file, so no other process can write it and both reads see one state of
// the vault. The hold therefore lasts one read: the second read closes
// the file, and so do a write, LockAccount (a refresh is about to go to
// the network), ReleaseHeld and Close, whichever comes first.

// heldStore is the store one read transaction left open for the next.
type heldStore struct {
	keep bool     // the next read transaction that opens the file keeps it
	db   *bolt.DB // the store kept, read-only
	file *os.File // the file db has open, for the path guard
}

// KeepOpenForNextRead makes the next read transaction leave the file open
// for the read transaction after it (see above).
func (v *Vault) KeepOpenForNextRead() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.held.keep = true
}

// ReleaseHeld closes a file KeepOpenForNextRead kept open and cancels a
// request not yet used.
func (v *Vault) ReleaseHeld() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.dropHeld()
}

// dropHeld is ReleaseHeld for a caller that holds mu.
func (v *Vault) dropHeld() {
	if v.held.db != nil {
		v.held.db.Close()
	}
	v.held = heldStore{}
}

// takeHeld returns the kept store for a read transaction, which must close
// it; nil when none is kept. The caller holds mu.
func (v *Vault) takeHeld() *bolt.DB {
	db := v.held.db
	if db != nil {
		v.guard.opened(db, v.held.file) // as openStore does
	}
	v.held.db, v.held.file = nil, nil
	return db
}

// keepsNext reports whether a read transaction that opens the file now
// should keep it. The caller holds mu.
func (v *Vault) keepsNext(write bool) bool {
	return v.held.keep && !write
}

// kept stores db, which a read transaction opened and used without
// error, for the next read transaction. The caller holds mu.
func (v *Vault) kept(db *bolt.DB) {
	v.held = heldStore{db: db}
	if v.guard.db == db {
		v.held.file = v.guard.file
	}
}
