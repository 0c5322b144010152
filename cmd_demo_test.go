package main

import (
	"context"
	"testing"
	"time"
)

// TestDemoClockAgreesWithTheSystem: the demo ages tokens by moving its
// emulator's clock, and must end where the system clock is, so the
// expiry times it shows are the user's own.
func TestDemoClockAgreesWithTheSystem(t *testing.T) {
	env, err := startDemo(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer env.close()
	if skew := time.Until(env.srv.Now()).Abs(); skew > time.Minute {
		t.Fatalf("the demo's clock is %s away from the system's", skew)
	}
}
