package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// The Azure CLI's files in its configuration directory (on Linux and
// macOS; on Windows its token cache is encrypted, msal_token_cache.bin).
const (
	azProfileFile = "azureProfile.json"
	azCacheFile   = "msal_token_cache.json"
	azConfigFile  = "config"
	// azDefaultCloud is the cloud az uses when its config names none.
	azDefaultCloud = "AzureCloud"
)

// utf8BOM starts azureProfile.json: az writes it as "utf-8-sig".
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// azureCLIDir is DIR, else $AZURE_CONFIG_DIR, else ~/.azure; it must be
// an existing directory.
func (a *app) azureCLIDir(args []string) (string, error) {
	dir := ""
	switch {
	case len(args) > 0:
		dir = args[0]
	case a.getenv("AZURE_CONFIG_DIR") != "":
		dir = a.getenv("AZURE_CONFIG_DIR")
	default:
		home := a.getenv("HOME")
		if home == "" {
			var err error
			if home, err = os.UserHomeDir(); err != nil {
				return "", fmt.Errorf("azure cli directory: %w", err)
			}
		}
		dir = filepath.Join(home, ".azure")
	}
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("no Azure CLI directory at %s (run az once, or name the directory)", dir)
	}
	if err != nil {
		return "", fmt.Errorf("the Azure CLI's directory: %w", err)
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%s is not a directory (the Azure CLI's configuration directory is)", dir)
	}
	return dir, nil
}

// readAzFile reads one of az's files with readUserFile's size limit and
// cancellation; a missing file is nil, no error.
func readAzFile(ctx context.Context, dir, name string) ([]byte, error) {
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return readUserFile(ctx, "the Azure CLI's", path, maxMSALImportSize)
}

// azCloudName is the cloud az is set to: [cloud] name in its config (an
// INI file), else AzureCloud. Subscriptions of other clouds are invisible
// to az, so new entries must carry this name.
func azCloudName(ctx context.Context, dir string) (string, error) {
	data, err := readAzFile(ctx, dir, azConfigFile)
	if err != nil || data == nil {
		return azDefaultCloud, err
	}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		if section != "cloud" {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok {
			key, value, ok = strings.Cut(line, ":")
		}
		if ok && strings.TrimSpace(key) == "name" && strings.TrimSpace(value) != "" {
			return strings.TrimSpace(value), nil
		}
	}
	return azDefaultCloud, nil
}

// writeFileAtomic replaces path with data through a temporary file in the
// same directory, keeping the old file's mode (perm for a new one).
func writeFileAtomic(path string, data []byte, perm fs.FileMode) error {
	if st, err := os.Stat(path); err == nil {
		perm = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".acctui-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
