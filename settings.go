package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/pelletier/go-toml/v2"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Defaults for the global settings.
const (
	defaultAuthority = "https://login.microsoftonline.com/organizations"
	// defaultClientID is the Azure CLI's public client, so a user's existing
	// consent and the Azure CLI's token cache both work.
	defaultClientID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
)

// settings are the global options after flags, ACCTUI_* variables and the
// config file have been applied, in that order of precedence.
type settings struct {
	Authority string `toml:"authority"`
	// OIDCAuthority, when set, is a generic OpenID Connect issuer that
	// replaces Authority.
	OIDCAuthority string `toml:"oidc_authority"`
	// RedirectURI is the browser sign-in's loopback redirect URI, for
	// providers that match registered URIs exactly.
	RedirectURI string `toml:"redirect_uri"`
	// InstanceDiscovery is "on" or "off" (trust an Entra-shaped host
	// without asking the cloud).
	InstanceDiscovery string `toml:"instance_discovery"`
	ClientID          string `toml:"client_id"`
	VaultDir          string `toml:"vault_dir"`
	VaultBackend      string `toml:"vault_backend"`
	CAFile            string `toml:"ca_file"`
	Debug             string `toml:"debug"`
	// KeyctlCache is how long the file backend's unlocked key stays in the
	// kernel keyring ("0" turns it off), as a Go duration.
	KeyctlCache string `toml:"keyctl_cache"`
	// Theme and Clipboard are read by the TUI.
	Theme     string `toml:"theme"`
	Clipboard string `toml:"clipboard"`
	// ClipboardClear is how long a copied token stays, as a Go duration.
	ClipboardClear string `toml:"clipboard_clear"`
}

// globalFlag ties a flag to its variable and config key.
type globalFlag struct {
	name, env, usage string
	value            func(*settings) *string
	def              string
}

var globalFlags = []globalFlag{
	{"authority", "ACCTUI_AUTHORITY", "Microsoft authority: https://login.microsoftonline.com/{tenant|organizations|common} (or a sovereign cloud), https://{tenant}.b2clogin.com/{tenant}.onmicrosoft.com/{policy}, https://{tenant}.ciamlogin.com/, https://{host}/adfs", func(s *settings) *string { return &s.Authority }, defaultAuthority},
	{"oidc-authority", "ACCTUI_OIDC_AUTHORITY", "issuer of any other OpenID Connect provider (https, or http on loopback); replaces --authority", func(s *settings) *string { return &s.OIDCAuthority }, ""},
	{"redirect-uri", "ACCTUI_REDIRECT_URI", "browser sign-in redirect URI, for providers that match it exactly (default http://localhost:{port}, or http://127.0.0.1:{port}/callback with --oidc-authority)", func(s *settings) *string { return &s.RedirectURI }, ""},
	{"instance-discovery", "ACCTUI_INSTANCE_DISCOVERY", "on, or off to trust an Entra-shaped authority's host without asking Microsoft's instance discovery (private clouds)", func(s *settings) *string { return &s.InstanceDiscovery }, "on"},
	{"client-id", "ACCTUI_CLIENT_ID", "application (client) id", func(s *settings) *string { return &s.ClientID }, defaultClientID},
	{"vault-dir", "ACCTUI_VAULT_DIR", "directory of the encrypted vault (default: $XDG_DATA_HOME/acctui)", func(s *settings) *string { return &s.VaultDir }, ""},
	{"vault-backend", "ACCTUI_VAULT_BACKEND", "keyring backend: auto, keychain, wincred, secret-service, kwallet, pass, keyctl, file", func(s *settings) *string { return &s.VaultBackend }, "auto"},
	{"ca-file", "ACCTUI_CA_FILE", "PEM file of extra trusted root certificates (for a local emulator)", func(s *settings) *string { return &s.CAFile }, ""},
	{"debug", "ACCTUI_DEBUG", "write a debug log to this file (never tokens)", func(s *settings) *string { return &s.Debug }, ""},
	{"keyctl-cache", "ACCTUI_KEYCTL_CACHE", "keep the file backend's unlocked key in the kernel keyring this long (0 = off)", func(s *settings) *string { return &s.KeyctlCache }, "8h"},
}

// registerGlobalFlags adds the persistent flags to the root command.
func registerGlobalFlags(root *cobra.Command, s *settings) {
	for _, f := range globalFlags {
		usage := f.usage + " [$" + f.env + "]"
		root.PersistentFlags().StringVar(f.value(s), f.name, f.def, usage)
	}
}

// resolveSettings fills every setting the user did not pass as a flag from
// its variable, then from the config file.
func resolveSettings(ctx context.Context, flags *pflag.FlagSet, s *settings, getenv func(string) string) error {
	file, err := loadConfigFile(ctx, getenv)
	if err != nil {
		return err
	}
	for _, f := range globalFlags {
		if flags.Changed(f.name) {
			continue
		}
		if v := getenv(f.env); v != "" {
			*f.value(s) = v
			continue
		}
		if v := *f.value(file); v != "" {
			*f.value(s) = v
		}
	}
	for _, pair := range []struct{ dst, src *string }{{&s.Theme, &file.Theme}, {&s.Clipboard, &file.Clipboard}, {&s.ClipboardClear, &file.ClipboardClear}} {
		if *pair.dst == "" {
			*pair.dst = *pair.src
		}
	}
	return nil
}

// configPath is $XDG_CONFIG_HOME/acctui/config.toml (or ACCTUI_CONFIG).
func configPath(getenv func(string) string) string {
	if p := getenv("ACCTUI_CONFIG"); p != "" {
		return p
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "acctui", "config.toml")
}

// loadConfigFile reads config.toml; without one every setting has its
// default.
func loadConfigFile(ctx context.Context, getenv func(string) string) (*settings, error) {
	path := configPath(getenv)
	if path == "" {
		return &settings{}, nil
	}
	// Most machines have no config file: a stat says so without
	// readUserFile's goroutine, whose start wakes a second thread. The
	// signals readUserFile's ctx would pass on are not armed yet here, so a
	// stat that hangs still ends with the process on Ctrl-C.
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return noConfigFile(path, getenv)
	}
	raw, err := readUserFile(ctx, "config file", path, maxConfigSize)
	if errors.Is(err, fs.ErrNotExist) {
		return noConfigFile(path, getenv)
	}
	if err != nil {
		return nil, usageError{err}
	}
	return decodeConfig(path, raw)
}

// noConfigFile is the defaults, unless ACCTUI_CONFIG named the missing
// file on purpose: a typo must not quietly mean defaults.
func noConfigFile(path string, getenv func(string) string) (*settings, error) {
	if getenv("ACCTUI_CONFIG") != "" {
		return nil, usageError{fmt.Errorf("config file %s (ACCTUI_CONFIG) does not exist", path)}
	}
	return &settings{}, nil
}

// decodeConfig reads config.toml's settings, refusing unknown keys.
func decodeConfig(path string, raw []byte) (*settings, error) {
	var file settings
	err := toml.NewDecoder(bytes.NewReader(raw)).DisallowUnknownFields().Decode(&file)
	var unknown *toml.StrictMissingError
	var syntax *toml.DecodeError
	switch {
	case errors.As(err, &unknown):
		keys := make([]string, len(unknown.Errors))
		for i, e := range unknown.Errors {
			keys[i] = strings.Join(e.Key(), ".")
		}
		return nil, usageError{fmt.Errorf("config file %s: unknown keys: %s", path, strings.Join(keys, ", "))}
	case errors.As(err, &syntax):
		line, col := syntax.Position()
		return nil, usageError{fmt.Errorf("config file %s:%d:%d: %w", path, line, col, err)}
	case err != nil:
		return nil, usageError{fmt.Errorf("config file %s: %w", path, err)}
	}
	return &file, nil
}
