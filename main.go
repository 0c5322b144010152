// Command acctui is a terminal account manager for Microsoft identity
// platform accounts.
package main

import (
	"os"
	"runtime"
)

func main() {
	growStack(len(os.Args))
	os.Exit(run(os.Args[1:]))
}

// growStack makes the runtime grow the main goroutine's stack to 16 KB now,
// while it holds three frames. `acctui token` needs that much, and left to
// itself the runtime grows the stack deep inside cobra, the vault and the
// crypto code, where the copy walks every frame's tables in a 20 MB binary:
// about 3% of a cached `acctui token` (tests/bench/token.sh).
//
//go:noinline
func growStack(n int) {
	var frame [12 << 10]byte
	frame[n%len(frame)] = 1
	runtime.KeepAlive(&frame)
}
