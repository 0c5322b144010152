// Command acctui is a terminal account manager for Microsoft identity
// platform accounts.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:]))
}
