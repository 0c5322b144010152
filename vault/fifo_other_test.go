//go:build !unix

package vault_test

import "errors"

// mkfifo reports that this platform has no named pipes in the file
// system; the tests that need one skip.
func mkfifo(string) error { return errors.New("no mkfifo on this platform") }
