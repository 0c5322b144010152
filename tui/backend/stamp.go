package backend

import (
	"context"
	"errors"
	"fmt"
	"os"
)

// Stamper is a Backend that can tell cheaply whether its storage changed,
// so the TUI notices a login or logout by another process without reading
// every account again.
type Stamper interface {
	// Stamp returns a value that changes whenever the storage does.
	Stamp(ctx context.Context) (string, error)
}

// errNoStamp means the store has no file to stamp (a memory store).
var errNoStamp = errors.New("backend: the cache store has no file")

// Stamp is the vault file's modification time and size: every write
// replaces or rewrites that file. A missing file has the stamp "absent".
func (e *Engine) Stamp(ctx context.Context) (string, error) {
	p, ok := e.store.(interface{ Path() string })
	if !ok {
		return "", errNoStamp
	}
	info, err := os.Stat(p.Path())
	if errors.Is(err, os.ErrNotExist) {
		return "absent", nil
	}
	if err != nil {
		return "", fmt.Errorf("backend: stamp: %w", err)
	}
	return fmt.Sprintf("%d/%d", info.ModTime().UnixNano(), info.Size()), ctx.Err()
}
