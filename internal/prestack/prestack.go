// Package prestack grows the main goroutine's stack to 16 KB before the
// packages acctui links initialise.
//
// Go starts a goroutine with a 2 KB stack and doubles it when a call needs
// more, copying it and walking every frame's tables in the binary (20 MB
// here). Left alone, the main goroutine's stack grows inside package
// initialisation and again deep inside cobra, the vault and the crypto code;
// growing it once now, while it holds two frames, took about 6% off a cached
// `acctui token` in alternating runs (tests/bench/token.sh). A cached token
// needs 16 KB; other commands grow the stack further as usual.
//
// Go initialises packages in import-path order among those whose imports
// are ready, and this one imports only runtime, so its init runs before
// nearly every other package's.
package prestack

import "runtime"

func init() { grow(1) }

// grow has a 12 KB frame, which makes the runtime give the goroutine a
// 16 KB stack on entry.
//
//go:noinline
func grow(n int) {
	var frame [12 << 10]byte
	frame[n%len(frame)] = 1
	runtime.KeepAlive(&frame)
}
