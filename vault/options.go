package vault

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/99designs/keyring"
)

// Backend names accepted by Options.Backend. Each but BackendAuto is handed
// to the keyring library as its only allowed backend.
const (
	// BackendAuto picks the Keychain on macOS, the Credential Manager on
	// Windows, and on Linux the Secret Service when a D-Bus session bus
	// answers and the collection is unlocked, else the file backend.
	BackendAuto = "auto"
	// BackendKeychain is the macOS Keychain.
	BackendKeychain = "keychain"
	// BackendWinCred is the Windows Credential Manager.
	BackendWinCred = "wincred"
	// BackendSecretService is the freedesktop Secret Service over D-Bus
	// (GNOME Keyring, KeePassXC, KWallet 5.97+).
	BackendSecretService = "secret-service"
	// BackendKWallet is KDE's KWallet over its own D-Bus interface.
	BackendKWallet = "kwallet"
	// BackendPass is pass, the GnuPG-based password store.
	BackendPass = "pass"
	// BackendKeyctl is the Linux kernel's user keyring. Keys there do not
	// survive a reboot or the end of the user's last session, and with
	// them goes the vault.
	BackendKeyctl = "keyctl"
	// BackendFile is the keyring library's file backend: the key encrypted
	// with a passphrase (JWE, PBES2) in Options.FileDir.
	BackendFile = "file"
)

// Backends lists the values Options.Backend accepts, for flag help.
var Backends = []string{BackendAuto, BackendKeychain, BackendWinCred, BackendSecretService, BackendKWallet, BackendPass, BackendKeyctl, BackendFile}

// FileName is the name of the vault file inside Options.Dir.
const FileName = "vault.acctui"

const (
	// DefaultServiceName is the default Options.ServiceName.
	DefaultServiceName = "acctui"
	// DefaultCollection is the default Options.Collection.
	DefaultCollection = "login"
	// DefaultTimeout is the default Options.Timeout.
	DefaultTimeout = 3 * time.Second
	// DefaultLockTimeout is the default Options.LockTimeout.
	DefaultLockTimeout = 5 * time.Second
)

// Options configures a Vault. The zero value is usable: the default
// directory, the auto backend and the default timeouts.
type Options struct {
	// Dir holds the vault file and its lock file; empty means
	// $XDG_DATA_HOME/acctui, else ~/.local/share/acctui.
	Dir string
	// Backend is one of Backends; empty means BackendAuto. It is always
	// handed to the keyring library as the only allowed backend, so the
	// library never picks one on its own.
	Backend string
	// ServiceName names the keyring service (Keychain, wincred prefix, pass
	// prefix, keyctl keyring, KWallet app id); empty means "acctui".
	ServiceName string
	// Collection is the Secret Service collection and the KWallet folder;
	// empty means "login".
	Collection string
	// PassDir is pass's password store; empty means $PASSWORD_STORE_DIR or
	// ~/.password-store.
	PassDir string
	// PassCmd is the pass executable; empty means "pass". Tests point it
	// at stand-ins.
	PassCmd string
	// FileDir is where the file backend keeps its encrypted items; empty
	// means <Dir>/keyring.
	FileDir string
	// PassphraseEnv names the environment variable the file backend takes
	// its passphrase from before it asks Passphrase (acctui passes
	// ACCTUI_VAULT_PASSPHRASE); empty means no variable is read.
	PassphraseEnv string
	// ResetCommand is the command the caller's users run to move a damaged
	// vault aside and start a new one (acctui passes "acctui vault reset");
	// errors that advise it name it. Empty means they say "a vault reset".
	ResetCommand string
	// Passphrase asks the user for the file backend's passphrase when
	// the PassphraseEnv variable is not set. prompt says what it is for. Nil
	// means no prompt is possible, and a file backend that needs a
	// passphrase fails with ErrNoPassphrase instead of waiting.
	Passphrase func(ctx context.Context, prompt string) (string, error)
	// KeyctlCache, when positive, keeps a data key unlocked through the file
	// backend in the kernel's user keyring for that long, so later runs need
	// no passphrase; see the package documentation for what that trades.
	// Zero turns it off. It is ignored outside Linux.
	KeyctlCache time.Duration
	// Timeout bounds every keyring call; zero means 3 s.
	Timeout time.Duration
	// LockTimeout bounds the wait for the lock file; zero means 5 s.
	LockTimeout time.Duration
	// Getenv reads the environment; nil means os.Getenv. Tests replace it.
	Getenv func(string) string
}

// withDefaults returns o with every empty field filled in and checked.
func (o Options) withDefaults() (Options, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Backend == "" {
		o.Backend = BackendAuto
	}
	if !slices.Contains(Backends, o.Backend) {
		return o, fmt.Errorf("vault: unknown keyring backend %q (known: %v)", o.Backend, Backends)
	}
	if o.ServiceName == "" {
		o.ServiceName = DefaultServiceName
	}
	if o.Collection == "" {
		o.Collection = DefaultCollection
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	if o.Dir == "" {
		dir, err := defaultDir(o.Getenv)
		if err != nil {
			return o, err
		}
		o.Dir = dir
	}
	if o.FileDir == "" {
		o.FileDir = filepath.Join(o.Dir, "keyring")
	}
	for _, p := range []*string{&o.Dir, &o.FileDir} {
		dir, err := keyring.ExpandTilde(*p)
		if err == nil {
			dir, err = filepath.Abs(dir)
		}
		if err != nil {
			return o, fmt.Errorf("vault: %w", err)
		}
		*p = dir
	}
	return o, nil
}

// reset names the caller's reset command for error advice.
func (o Options) reset() string {
	if o.ResetCommand == "" {
		return "a vault reset"
	}
	return "`" + o.ResetCommand + "`"
}

// defaultDir is $XDG_DATA_HOME/acctui, else ~/.local/share/acctui, as the
// XDG base directory specification puts application data.
func defaultDir(getenv func(string) string) (string, error) {
	if d := getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "acctui"), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("vault: no vault directory: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "share", "acctui"), nil
}
