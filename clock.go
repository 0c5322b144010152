package main

import "time"

// now is the command line's clock: the wall clock, moved by the test clock
// offset in a test build (testclock_on.go) and by nothing otherwise.
func (a *app) now() time.Time {
	return time.Now().Add(testClockOffset(a.getenv))
}
