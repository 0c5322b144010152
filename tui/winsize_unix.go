//go:build unix

package tui

import (
	"os"
	"syscall"
)

// resizeSignals are the signals a terminal's resize sends.
var resizeSignals = []os.Signal{syscall.SIGWINCH}
