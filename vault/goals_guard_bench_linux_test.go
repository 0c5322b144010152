package vault_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/vault"
	"golang.org/x/sys/unix"
)

// BenchmarkGoalsGuardCost runs each of BenchmarkGoals' token, accounts and
// refresh with the page guard off and on in turn, in the same iteration,
// and reports the process CPU time of each and their ratio. On a shared
// machine the two halves of a pair see the same load, where sub-benchmarks
// run a minute apart do not:
//
//	go test ./vault -run '^$' -bench GoalsGuardCost -benchtime 200x
func BenchmarkGoalsGuardCost(b *testing.B) {
	for _, n := range []int{1, 1000, 10000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			opts := goalVault(b, n)
			v := open(b, opts)
			ops := []struct {
				name string
				run  func(b *testing.B, i int)
			}{
				{"token", func(b *testing.B, _ int) { tokenPath(b, opts, username(n/2), testTenant, false) }},
				{"accounts", func(b *testing.B, _ int) {
					w, _ := vault.Open(context.Background(), opts)
					defer w.Close()
					if list, err := w.Accounts(context.Background()); err != nil || len(list) != n {
						b.Fatal(len(list), err)
					}
				}},
				{"refresh", func(b *testing.B, i int) {
					k := i % n
					err := v.Write(context.Background(), cache.Hint{HomeAccountID: homeID(k)}, func(c *cache.Cache) error { return refreshOne(c, k) })
					if err != nil {
						b.Fatal(err)
					}
				}},
			}
			for _, op := range ops {
				b.Run(op.name, func(b *testing.B) {
					var cpu [2]time.Duration // off, on
					i := 0
					for b.Loop() {
						i++
						for half := range 2 {
							on := (i+half)%2 == 1 // alternate which goes first
							restore := vault.SetPathGuard(on)
							start := processCPU(b)
							op.run(b, i)
							if on {
								cpu[1] += processCPU(b) - start
							} else {
								cpu[0] += processCPU(b) - start
							}
							restore()
						}
					}
					b.ReportMetric(float64(cpu[0].Nanoseconds())/float64(b.N), "off-cpu-ns/op")
					b.ReportMetric(float64(cpu[1].Nanoseconds())/float64(b.N), "on-cpu-ns/op")
					b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "on/off")
				})
			}
		})
	}
}

// processCPU is the CPU time the process has used, all threads.
func processCPU(b *testing.B) time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ts.Nano())
}
