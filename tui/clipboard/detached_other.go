//go:build !unix

package clipboard

import "syscall"

// detachedAttr has nothing to add where there are no sessions.
func detachedAttr() *syscall.SysProcAttr { return nil }
