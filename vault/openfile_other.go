//go:build !unix

package vault

import "os"

// openFile is os.OpenFile; see openfile_unix.go for why unix differs.
func openFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	return os.OpenFile(name, flag, perm)
}
