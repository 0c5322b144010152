//go:build !unix

package main

import "acctui/vault"

// runAgainWithDBus is never needed where the keyring library does not
// probe D-Bus; see reexec_unix.go.
func runAgainWithDBus() error { return vault.ErrDBusDeferred }
