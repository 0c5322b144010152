//go:build ignore

// Command timeit times commands in alternating rounds, for
// tests/bench/token.sh: every round runs each command once, in turn, so
// that whatever else the machine does falls on all of them alike. Each
// command is an argument NAME::WORD WORD..., split on spaces; leading
// KEY=VALUE words set variables for that command only (the rest of the
// environment is timeit's). A run must exit 0 and print something on
// stdout, else timeit stops with the command's stderr.
//
//	go build -o timeit tests/bench/timeit.go
//	timeit -rounds 20 -warmup 2 'acctui::ACCTUI_KEYCTL_CACHE=0 acctui token' 'floor::./floor'
//
// It prints a table, then one line per command for scripts:
//
//	RESULT <name> <median ms> <min ms> <mean ms> <p90 ms> <median cpu ms> <max rss KiB>
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

type command struct {
	name string
	argv []string
	env  []string
	wall []time.Duration
	cpu  []time.Duration
	rss  int64 // KiB, the largest of any run
}

func parse(spec string) (*command, error) {
	name, rest, ok := strings.Cut(spec, "::")
	if !ok || name == "" {
		return nil, fmt.Errorf("%q: want NAME::COMMAND", spec)
	}
	c := &command{name: name, env: os.Environ()}
	words := strings.Fields(rest)
	for len(words) > 0 && strings.Contains(words[0], "=") && !strings.HasPrefix(words[0], "=") {
		c.env = append(c.env, words[0])
		words = words[1:]
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("%q: no command", spec)
	}
	c.argv = words
	return c, nil
}

func (c *command) run(record bool) error {
	cmd := exec.Command(c.argv[0], c.argv[1:]...)
	cmd.Env = c.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return fmt.Errorf("%s: %s: %v\n%s", c.name, strings.Join(c.argv, " "), err, stderr.Bytes())
	}
	if stdout.Len() == 0 {
		return fmt.Errorf("%s: %s printed nothing\n%s", c.name, strings.Join(c.argv, " "), stderr.Bytes())
	}
	if !record {
		return nil
	}
	c.wall = append(c.wall, wall)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		c.cpu = append(c.cpu, time.Duration(ru.Utime.Nano()+ru.Stime.Nano()))
		c.rss = max(c.rss, ru.Maxrss) // KiB on Linux
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// quantile of sorted durations, by the nearest rank.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted)-1) + 0.5)
	return sorted[i]
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func main() {
	rounds := flag.Int("rounds", 20, "timed rounds; each runs every command once")
	warmup := flag.Int("warmup", 2, "untimed rounds first")
	flag.Parse()
	var cmds []*command
	for _, spec := range flag.Args() {
		c, err := parse(spec)
		if err != nil {
			fmt.Fprintln(os.Stderr, "timeit:", err)
			os.Exit(2)
		}
		cmds = append(cmds, c)
	}
	if len(cmds) == 0 {
		fmt.Fprintln(os.Stderr, "timeit: no commands")
		os.Exit(2)
	}
	for r := 0; r < *warmup+*rounds; r++ {
		for _, c := range cmds {
			if err := c.run(r >= *warmup); err != nil {
				fmt.Fprintln(os.Stderr, "timeit:", err)
				os.Exit(1)
			}
		}
	}
	fmt.Printf("%-24s %5s %10s %10s %10s %10s %10s %9s\n", "command", "runs", "median ms", "min ms", "mean ms", "p90 ms", "cpu ms", "max RSS")
	for _, c := range cmds {
		sorted := slices.Clone(c.wall)
		slices.Sort(sorted)
		var sum time.Duration
		for _, d := range sorted {
			sum += d
		}
		mean := sum / time.Duration(len(sorted))
		fmt.Printf("%-24s %5d %10.2f %10.2f %10.2f %10.2f %10.2f %6.1f MB\n", c.name, len(sorted),
			ms(median(sorted)), ms(sorted[0]), ms(mean), ms(quantile(sorted, 0.9)), ms(median(c.cpu)), float64(c.rss)/1024)
	}
	for _, c := range cmds {
		sorted := slices.Clone(c.wall)
		slices.Sort(sorted)
		var sum time.Duration
		for _, d := range sorted {
			sum += d
		}
		fmt.Printf("RESULT %s %.3f %.3f %.3f %.3f %.3f %d\n", c.name, ms(median(sorted)), ms(sorted[0]),
			ms(sum/time.Duration(len(sorted))), ms(quantile(sorted, 0.9)), ms(median(c.cpu)), c.rss)
	}
}
