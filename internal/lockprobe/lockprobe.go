//go:build unix

// Package lockprobe asks, without waiting, whether a writer could take a
// file's flock(2) lock now: what tests use to see that a reader holds, or
// no longer holds, the shared lock bbolt takes on vault.db.
package lockprobe

import (
	"errors"
	"os"
	"syscall"
)

// WriterCouldLock reports whether an exclusive flock on path would be
// granted at once. It takes the lock and gives it back when it can.
func WriterCouldLock(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case err == nil:
		return true, syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	case errors.Is(err, syscall.EWOULDBLOCK):
		return false, nil
	default:
		return false, err
	}
}
