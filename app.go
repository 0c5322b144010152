package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"acctui/engine"
	"acctui/vault"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"golang.org/x/term"
)

// app is what every command shares: settings, streams, and lazily opened
// parts (HTTP client, vault, engine clients).
type app struct {
	s      settings
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string

	log      *slog.Logger
	logFile  *os.File
	http     *http.Client
	vault    *vault.Vault
	stdinTTY bool
	// interrupts cancels the command's context on a signal once armed;
	// nil in tests that build commands without run.
	interrupts *interrupts
	// passphraseOverride replaces the terminal prompt (the TUI asks on its
	// own unlock screen).
	passphraseOverride func(ctx context.Context, prompt string) (string, error)
	// newVaultKey is set by vault reset: the next passphrase asked for
	// protects a new key.
	newVaultKey bool
	// resolved is findPrincipal's lookup of its name among people, taken
	// by the next resolveAccount (principals.go).
	resolved *resolvedName
}

func newApp() *app {
	return &app{
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv,
		log:      slog.New(slog.DiscardHandler),
		stdinTTY: term.IsTerminal(int(os.Stdin.Fd())),
	}
}

// setUp applies the settings that every command needs: the debug log.
// It logs the command and the names of the flags given, never a value or
// an argument: those can be tokens pasted by mistake.
func (a *app) setUp(cmd *cobra.Command) error {
	if a.s.Debug == "" {
		return nil
	}
	f, err := os.OpenFile(a.s.Debug, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("debug log: %w", err)
	}
	a.logFile = f
	a.log = slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var flags []string
	cmd.Flags().Visit(func(f *pflag.Flag) { flags = append(flags, "--"+f.Name) })
	a.log.Debug("acctui start", "version", version, "command", cmd.CommandPath(), "flags", flags, "arguments", len(cmd.Flags().Args()))
	return nil
}

func (a *app) close() {
	if a.logFile != nil {
		a.logFile.Close()
	}
}

// httpClient trusts the system roots plus --ca-file. The roots are loaded
// on the first request, not here: a token served from the cache must not
// pay for parsing the system's certificate store.
func (a *app) httpClient(ctx context.Context) (*http.Client, error) {
	if a.http != nil {
		return a.http, nil
	}
	var transport http.RoundTripper = http.DefaultTransport
	if a.s.CAFile != "" {
		pem, err := readUserFile(ctx, "--ca-file", a.s.CAFile, maxCAFileSize)
		if err != nil {
			return nil, usageError{err}
		}
		if !bytes.Contains(pem, []byte("-----BEGIN CERTIFICATE-----")) {
			return nil, usageError{fmt.Errorf("--ca-file %s holds no PEM certificate", a.s.CAFile)}
		}
		transport = &lazyTransport{build: func() (http.RoundTripper, error) { return transportWithRoots(pem) }}
	}
	a.http = &http.Client{Transport: armingTransport{arm: a.armInterrupts, next: transport}, Timeout: 30 * time.Second}
	return a.http, nil
}

// transportWithRoots is the default transport trusting the system roots
// and the PEM's certificates.
func transportWithRoots(pem []byte) (http.RoundTripper, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("--ca-file holds no usable certificate")
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return t, nil
}

// lazyTransport builds its transport on the first request.
type lazyTransport struct {
	once  sync.Once
	build func() (http.RoundTripper, error)
	rt    http.RoundTripper
	err   error
}

func (l *lazyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	l.once.Do(func() { l.rt, l.err = l.build() })
	if l.err != nil {
		return nil, l.err
	}
	return l.rt.RoundTrip(r)
}

// The names acctui gives the vault: the variable its file keyring's
// passphrase comes from, and the command its errors advise.
const (
	passphraseEnv = "ACCTUI_VAULT_PASSPHRASE"
	resetCommand  = "acctui vault reset"
)

// openVault opens the encrypted vault once per process.
func (a *app) openVault(ctx context.Context) (*vault.Vault, error) {
	if a.vault != nil {
		return a.vault, nil
	}
	keyctl, err := time.ParseDuration(a.s.KeyctlCache)
	if err != nil && a.s.KeyctlCache != "0" {
		return nil, usageError{fmt.Errorf("--keyctl-cache %q: want a duration such as 8h, or 0", a.s.KeyctlCache)}
	}
	v, err := vault.Open(ctx, vault.Options{
		Dir:         a.s.VaultDir,
		Backend:     a.s.VaultBackend,
		Passphrase:  a.vaultPassphrase,
		KeyctlCache: keyctl,
		Getenv:      a.vaultGetenv,

		PassphraseEnv: passphraseEnv,
		ResetCommand:  resetCommand,
	})
	if err != nil {
		return nil, err
	}
	a.vault = v
	return v, nil
}

// engineClient is a client of the configured app for an authority; tenant,
// when set, replaces the authority's tenant.
func (a *app) engineClient(ctx context.Context, tenant string) (*engine.Client, error) {
	authority, err := a.authority()
	if err != nil {
		return nil, err
	}
	if tenant != "" {
		if authority.Kind == engine.KindOIDC || authority.Kind == engine.KindADFS {
			return nil, usagef("--tenant does not apply to %s (%s): it has one issuer", authority.Label(), authority)
		}
		authority = authority.WithTenant(tenant)
	}
	httpClient, err := a.httpClient(ctx)
	if err != nil {
		return nil, err
	}
	v, err := a.openVault(ctx)
	if err != nil {
		return nil, err
	}
	client, err := engine.New(engine.Config{
		ClientID:                 a.s.ClientID,
		Authority:                authority.String(),
		OIDCAuthority:            a.s.OIDCAuthority,
		DisableInstanceDiscovery: a.s.InstanceDiscovery == "off",
		HTTPClient:               httpClient,
		Cache:                    v,
		ClientCapabilities:       []string{"CP1"},
		Logger:                   a.log,
		Now:                      a.now,
	})
	if err != nil {
		return nil, usageError{err}
	}
	return client, nil
}

// promptPassphrase asks on the terminal without echo; without a terminal it
// refuses rather than hang.
func (a *app) promptPassphrase(ctx context.Context, prompt string) (string, error) {
	if a.passphraseOverride != nil {
		return a.passphraseOverride(ctx, prompt)
	}
	if !a.stdinTTY {
		return "", errNoTerminal("the vault passphrase (set ACCTUI_VAULT_PASSPHRASE)")
	}
	a.armInterrupts()
	return readSecretLine(ctx, a.stderr, prompt)
}

// armInterrupts makes a signal cancel the command from now on.
func (a *app) armInterrupts() {
	if a.interrupts != nil {
		a.interrupts.arm()
	}
}

// clipboardClear is the clipboard_clear setting; zero means the TUI's default.
func (a *app) clipboardClear() time.Duration {
	d, err := time.ParseDuration(a.s.ClipboardClear)
	if err != nil {
		return 0
	}
	return d
}

// The vault's per-account lock is what makes processes share one refresh.
var _ engine.AccountLocker = (*vault.Vault)(nil)

// withVault runs fn with the command's context bounded by timeout and the
// vault open: the start every command that works on the vault shares.
func (a *app) withVault(cmd *cobra.Command, timeout time.Duration, fn func(ctx context.Context, v *vault.Vault) error) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
	defer cancel()
	v, err := a.openVault(ctx)
	if err != nil {
		return err
	}
	return fn(ctx, v)
}
