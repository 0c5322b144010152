//go:build unix

package vault

import (
	"os"
	"syscall"
)

// openFile is os.OpenFile without Go's poller. os.OpenFile offers every
// file to epoll, which refuses regular files, and switches the file's
// blocking mode around that attempt: five system calls an open, and the
// first open of a process also starts the poller (an epoll instance, an
// eventfd, a thread woken to wait on them). A cached `acctui token` opens
// vault files six times and needs no poller; a file from os.NewFile that
// is in blocking mode is never offered to it. Reads then block in the
// kernel, as they do for a regular file through the poller.
func openFile(name string, flag int, perm os.FileMode) (*os.File, error) {
	for {
		fd, err := syscall.Open(name, flag|syscall.O_CLOEXEC, uint32(perm.Perm()))
		switch err {
		case nil:
			return os.NewFile(uintptr(fd), name), nil
		case syscall.EINTR:
			continue
		default:
			return nil, &os.PathError{Op: "open", Path: name, Err: err}
		}
	}
}
