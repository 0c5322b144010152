//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestReadUserFileEndsWithContext: a FIFO without a writer blocks open(2)
// and one whose writer stays silent blocks read(2); both end when the
// context does (the command's context ends on SIGINT and SIGTERM).
func TestReadUserFileEndsWithContext(t *testing.T) {
	dir := t.TempDir()
	for _, withWriter := range []bool{false, true} {
		fifo := filepath.Join(dir, "fifo")
		os.Remove(fifo)
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skip("no FIFOs here:", err)
		}
		if withWriter {
			w, err := os.OpenFile(fifo, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := readUserFile(ctx, "test file", fifo, 1024)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("writer %v: readUserFile on a silent FIFO after cancel = %v, want context.Canceled", withWriter, err)
		}
		if !withWriter {
			// A writer that comes and goes lets the abandoned open, and
			// then its read, finish.
			if w, err := os.OpenFile(fifo, os.O_RDWR, 0); err == nil {
				w.Close()
			}
		}
	}
}
