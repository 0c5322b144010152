package tests

import "golang.org/x/sys/unix"

// findKernelKey reports whether the user keyring holds a "user" key of
// that description (nil when it does).
func findKernelKey(name string) error {
	_, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", name, 0)
	return err
}

// forgetKernelKey removes a key the keyctl test left in the user keyring.
func forgetKernelKey(name string) {
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", name, 0)
	if err != nil {
		return
	}
	_, _ = unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0)
}
