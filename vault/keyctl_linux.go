//go:build linux

package vault

import (
	"errors"
	"time"

	"github.com/99designs/keyring"
	"golang.org/x/sys/unix"
)

// kernelPerm lets the possessor do anything and every process of the same
// user view, read, search and update the key: without user rights a run in
// another login session (which does not possess the user keyring's keys)
// could not read it back.
const kernelPerm = 0x3f000000 | 0x003f0000

// keyctlPerm is the permission mask the keyctl backend gives its keys, for
// the same reason as kernelPerm.
func keyctlPerm() uint32 {
	return keyring.GetPermissions(keyring.KEYCTL_PERM_ALL, keyring.KEYCTL_PERM_ALL, 0, 0)
}

// kernelGet reads a "user" key from the user keyring.
func kernelGet(name string) ([]byte, error) {
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", name, 0)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, 2*keySize)
	n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, id, buf, 0)
	if err != nil {
		return nil, err
	}
	if n > len(buf) {
		return nil, errors.New("vault: kernel keyring entry too large")
	}
	return buf[:n], nil
}

// kernelPut stores data as a "user" key in the user keyring, expiring after
// ttl. The key is made in the session keyring first, where this process
// possesses it and may set its permissions and timeout, then linked into
// the user keyring and unlinked from the session keyring.
func kernelPut(name string, data []byte, ttl time.Duration) error {
	done := make(chan error, 1)
	go func() {
		ownThread()
		done <- kernelPutHere(name, data, ttl)
	}()
	return <-done
}

// kernelPutHere is kernelPut's work, on a thread no other goroutine uses.
func kernelPutHere(name string, data []byte, ttl time.Duration) error {
	id, err := unix.AddKey("user", name, data, unix.KEY_SPEC_SESSION_KEYRING)
	if err != nil {
		return err
	}
	defer unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_SESSION_KEYRING, 0, 0)
	secs := int(ttl.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	if _, err := unix.KeyctlInt(unix.KEYCTL_SET_TIMEOUT, id, secs, 0, 0); err != nil {
		return err
	}
	if err := unix.KeyctlSetperm(id, kernelPerm); err != nil {
		return err
	}
	_, err = unix.KeyctlInt(unix.KEYCTL_LINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0)
	return err
}

// kernelForget invalidates a cached key.
func kernelForget(name string) error {
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", name, 0)
	if err != nil {
		return err
	}
	_, err = unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0)
	return err
}
