//go:build acctui_testclock

package main

import (
	"strconv"
	"time"
)

// testClockEnv moves the clock of a test build (go build -tags
// acctui_testclock, as tests/ builds it) forward by that many seconds, so
// end-to-end tests make a token expire by advancing the emulator's clock
// and this one together instead of sleeping. Release builds do not read
// it (testclock_off.go).
const testClockEnv = "ACCTUI_TEST_CLOCK_OFFSET"

// testClockOffset is $ACCTUI_TEST_CLOCK_OFFSET seconds; zero when unset or
// not a whole number.
func testClockOffset(getenv func(string) string) time.Duration {
	seconds, err := strconv.ParseInt(getenv(testClockEnv), 10, 64)
	if err != nil {
		return 0
	}
	return time.Duration(seconds) * time.Second
}
