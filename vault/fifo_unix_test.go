//go:build unix

package vault_test

import "syscall"

// mkfifo makes a named pipe, so tests can check that reads of one end
// when their context does.
func mkfifo(path string) error { return syscall.Mkfifo(path, 0o600) }
