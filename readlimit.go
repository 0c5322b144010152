package main

import (
	"context"
	"fmt"
	"io"
	"os"
)

// Size limits for the files a user names. Each is far above what the file
// really holds and far below what hurts: a path that is a device
// (/dev/zero), a FIFO or a huge file ends in a clear error, not in memory
// exhaustion.
const (
	// maxConfigSize: a config.toml is a dozen lines.
	maxConfigSize = 1 << 20
	// maxCAFileSize: a whole system bundle (Mozilla's ~140 roots) is about
	// 220 KB; corporate bundles add a few dozen certificates.
	maxCAFileSize = 4 << 20
	// maxMSALImportSize bounds an import from standard input, a FIFO or a
	// device, which is held whole in memory (a regular file is streamed by
	// the vault, up to its own limit): an Azure CLI cache signed in to
	// hundreds of tenants is a few MB (about 6 KB per account: account,
	// ID, access and refresh token); 64 MiB holds 10 000 such accounts.
	maxMSALImportSize = 64 << 20
)

// readUserFile reads the file at path, named what in errors, refusing one
// larger than limit bytes. A read that blocks (a FIFO nobody writes, a
// stalled network mount) ends when ctx does, so Ctrl-C and SIGTERM stop
// it; the blocked read is left to the process's exit.
func readUserFile(ctx context.Context, what, path string, limit int64) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	opened := make(chan *os.File, 1)
	go func() {
		data, err := readLimited(path, limit, opened)
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return nil, fmt.Errorf("%s %s: %w", what, path, r.err)
		}
		return r.data, nil
	case <-ctx.Done():
		select {
		case f := <-opened:
			f.Close() // unblocks a read from a pipe
		default:
		}
		return nil, fmt.Errorf("%s %s: %w", what, path, ctx.Err())
	}
}

// readLimited does readUserFile's work; it hands the open file over on
// opened so that a cancelled caller can close it.
func readLimited(path string, limit int64, opened chan<- *os.File) ([]byte, error) {
	f, err := os.Open(path) // blocks on a FIFO until a writer opens it
	if err != nil {
		return nil, err
	}
	opened <- f
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, fmt.Errorf("is a directory")
	}
	tooLarge := fmt.Errorf("larger than %s; acctui reads at most that much from it", sizeText(limit))
	if info.Mode().IsRegular() && info.Size() > limit {
		return nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, tooLarge
	}
	return data, nil
}

// sizeText writes a byte count the way the limits are chosen: in MiB.
func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}
