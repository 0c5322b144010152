//go:build unix

package vault

import "syscall"

// oNoFollow makes open fail on a symbolic link instead of following it.
const oNoFollow = syscall.O_NOFOLLOW

// tightenable reports whether directory modes mean anything here.
const tightenable = true
