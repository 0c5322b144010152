package vault

import "acctui/vault/internal/dbusguard"

// The keyring library's init has run by now (this package imports it);
// undo what dbusguard did to stop it from launching a D-Bus daemon.
func init() { dbusguard.Restore() }
