// Command acctui is a terminal account manager for Microsoft identity
// platform accounts.
package main

import (
	"os"

	_ "acctui/internal/prestack" // first: grows the stack before other inits
)

func main() {
	os.Exit(run(os.Args[1:]))
}
