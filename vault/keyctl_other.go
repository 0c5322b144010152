//go:build !linux

package vault

import (
	"errors"
	"time"
)

// errNoKernelKeyring is what the kernel keyring cache gives outside Linux.
var errNoKernelKeyring = errors.New("vault: no kernel keyring on this system")

// keyctlPerm is unused outside Linux, where there is no keyctl backend.
func keyctlPerm() uint32 { return 0 }

// kernelGet always misses outside Linux.
func kernelGet(string) ([]byte, error) { return nil, errNoKernelKeyring }

// kernelPut does nothing outside Linux.
func kernelPut(string, []byte, time.Duration) error { return errNoKernelKeyring }

// kernelForget does nothing outside Linux.
func kernelForget(string) error { return errNoKernelKeyring }
