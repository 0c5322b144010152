//go:build unix

package main

import (
	"os"
	"syscall"

	"acctui/vault"
)

// runAgainWithDBus runs this command again in this process (exec), with
// the keyring library's session bus probe allowed: acctui token deferred
// the probe (vault.ErrDBusDeferred) and needs the Secret Service or KWallet
// after all, because the kernel's key cache did not have the key. Nothing
// was printed yet and nothing read from standard input; files and locks
// close with the exec. It returns only when the exec fails.
func runAgainWithDBus() error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	return syscall.Exec(exe, os.Args, append(os.Environ(), vault.DBusProbeEnv+"=1"))
}
