// Command acctui is a terminal account manager for Microsoft identity
// platform accounts.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "acctui:", err)
		os.Exit(exitCode(err))
	}
}
