//go:build !unix

package tui

import "os"

// resizeSignals: Windows has no resize signal.
var resizeSignals []os.Signal
