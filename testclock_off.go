//go:build !acctui_testclock

package main

import "time"

// testClockOffset is always zero in a release build: no variable can move
// acctui's clock, so no environment can make it serve an expired token.
func testClockOffset(func(string) string) time.Duration { return 0 }
