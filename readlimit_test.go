package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadUserFileLimit(t *testing.T) {
	dir := t.TempDir()
	exact := filepath.Join(dir, "exact")
	over := filepath.Join(dir, "over")
	os.WriteFile(exact, make([]byte, 1024), 0o600)
	os.WriteFile(over, make([]byte, 1025), 0o600)
	ctx := context.Background()
	if data, err := readUserFile(ctx, "test file", exact, 1024); err != nil || len(data) != 1024 {
		t.Errorf("a file of exactly the limit: %d bytes, %v", len(data), err)
	}
	for path, want := range map[string]string{
		over:                       "test file " + over + ": larger than 1024 bytes",
		"/dev/zero":                "test file /dev/zero: larger than 1024 bytes",
		dir:                        "is a directory",
		filepath.Join(dir, "none"): "no such file",
	} {
		_, err := readUserFile(ctx, "test file", path, 1024)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("readUserFile(%s) = %v, want an error with %q", path, err, want)
		}
	}
}
