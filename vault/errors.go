package vault

import (
	"errors"

	"acctui/vault/internal/dbusguard"
)

// Sentinel errors callers branch on; use errors.Is. The errors returned wrap
// them with the path, backend or item concerned; none of them ever carries a
// token or a key.
var (
	// ErrNoPassphrase means the file backend needs a passphrase and there is
	// no way to get one: the Options.PassphraseEnv variable is unset and no
	// prompt is possible.
	ErrNoPassphrase = errors.New("vault: the file keyring needs a passphrase")
	// ErrWrongPassphrase means the file backend's key item could not be
	// opened with the passphrase given.
	ErrWrongPassphrase = errors.New("vault: wrong passphrase")
	// ErrKeyMissing means the keyring holds no data key for the vault file's
	// key id: the key was deleted, or the vault was made with another backend.
	ErrKeyMissing = errors.New("vault: the vault's data key is not in the keyring")
	// ErrCorrupt means the vault file is damaged or truncated, or was not
	// written by acctui: it failed its authentication or structure checks.
	ErrCorrupt = errors.New("vault: the vault file is damaged")
	// ErrUnsupportedVersion means the vault file has a format version this
	// acctui does not read, typically one written by a newer acctui.
	ErrUnsupportedVersion = errors.New("vault: unsupported vault format version")
	// ErrBackendTimeout means the keyring backend did not answer within
	// Options.Timeout.
	ErrBackendTimeout = errors.New("vault: the keyring backend did not answer in time")
	// ErrLocked means another process held the vault's lock file for longer
	// than Options.LockTimeout.
	ErrLocked = errors.New("vault: the vault is locked by another process")
	// ErrDBusDeferred means the data key is needed from the Secret Service
	// or KWallet, which this process cannot open because it kept the
	// keyring library from probing the session bus at start
	// (dbusguard.Deferred: `acctui token` expects the kernel's key cache).
	// The caller runs the command again with DBusProbeEnv set to 1.
	ErrDBusDeferred = errors.New("vault: the D-Bus keyrings were not probed at start")
)

// DBusProbeEnv, set to 1, lets the keyring library probe the session bus
// in a command that would defer it; see ErrDBusDeferred.
const DBusProbeEnv = dbusguard.ProbeEnv
