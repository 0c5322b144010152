// Command olddriver is built by TestOlderReleaseRefusesFormat3 inside a
// checkout of an older acctui (it is copied there; testdata keeps it out
// of this module's build). It opens the vault in the directory it is given
// with the file backend (passphrase from ACCTUI_VAULT_PASSPHRASE) and
// prints one line per call: the error, with whether it is
// ErrUnsupportedVersion, or what the call found.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"acctui/engine/cache"
	"acctui/vault"
)

func main() {
	ctx := context.Background()
	v, err := vault.Open(ctx, vault.Options{Dir: os.Args[1], Backend: vault.BackendFile})
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	defer v.Close()
	report := func(call string, n int, err error) {
		if err != nil {
			fmt.Printf("%s: unsupported=%t: %v\n", call, errors.Is(err, vault.ErrUnsupportedVersion), err)
			return
		}
		fmt.Printf("%s: ok %d\n", call, n)
	}
	st, err := v.Status(ctx)
	report("status", st.Accounts, err)
	list, err := v.Accounts(ctx)
	report("accounts", len(list), err)
	err = v.Read(ctx, cache.Hint{}, func(*cache.Cache) error { return nil })
	report("read", 0, err)
	err = v.Update(ctx, func(c *cache.Cache) error {
		return c.SetMetadata("oidc|older-release", []byte(`{"token_endpoint":"x"}`), time.Now().Add(time.Hour).Unix())
	})
	report("update", 0, err)
}
