//go:build unix

package clipboard

import "syscall"

// detachedAttr puts the clearer in its own session, so closing the
// terminal or quitting acctui does not end it.
func detachedAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setsid: true} }
