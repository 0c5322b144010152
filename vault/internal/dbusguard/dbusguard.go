// Package dbusguard keeps github.com/99designs/keyring from starting a D-Bus
// daemon, and `acctui token` from connecting to the session bus it does
// not need (see Deferred).
//
// The keyring library connects to the session bus in its package init, to
// decide whether to offer the Secret Service backend. When
// DBUS_SESSION_BUS_ADDRESS is unset and there is no user bus socket, its
// D-Bus library (godbus before v5.0.6) runs dbus-launch, which starts a new
// session bus daemon that nothing ever stops: every acctui run on a
// headless machine with dbus-x11 installed would leave one behind. (godbus
// fixed this later with SessionBusPrivateNoAutoStartup; keyring v1.2.2
// still uses the old version.)
//
// This package is initialised before the keyring library: Go initialises
// packages in import-path order among those whose imports are ready, and
// "acctui/vault/internal/dbusguard", which needs only os and runtime, sorts before
// "github.com/99designs/keyring", which needs os and much more. When no bus
// can be found without launching one, Arm sets DBUS_SESSION_BUS_ADDRESS to
// an address with no transport, so the library's probe fails at once and
// the Secret Service backend is simply not offered; the vault package's
// init, which runs after the keyring library's, calls Restore to put the
// environment back as it was before anyone else sees it.
package dbusguard

import (
	"os"
	"runtime"
)

const (
	envName = "DBUS_SESSION_BUS_ADDRESS"
	// placeholder names a transport godbus does not know, so dialling it
	// fails without side effects.
	placeholder = "acctui-no-session-bus:"
)

var (
	armed    bool
	original string
	had      bool
)

// ProbeEnv set to 1 lets the keyring library probe the bus in a command
// that would defer it: the run that starts again after ErrDBusDeferred.
const ProbeEnv = "ACCTUI_DBUS_PROBE"

// Deferred reports that a session bus exists but the keyring library was
// kept from probing it: `acctui token` answers from the kernel's key cache
// and needs no keyring, and the probe is a connection to the bus and its
// handshake, about a millisecond of a run of three, left open until the
// process ends. The Secret Service and KWallet backends are then not on
// offer in this process; the vault says so (vault.ErrDBusDeferred) when
// it needs one, and the command runs again with ProbeEnv set.
var Deferred bool

func init() { arm() }

// arm sets the placeholder when godbus would otherwise run dbus-launch:
// the variable is empty or "autolaunch:", and neither of the files godbus
// looks for in /run/user/<uid> exists.
func arm() {
	if runtime.GOOS != "linux" {
		return // the keyring library probes D-Bus on Linux only
	}
	original, had = os.LookupEnv(envName)
	if busFound() {
		if !defers(os.Args) || os.Getenv(ProbeEnv) == "1" {
			return
		}
		Deferred = true
	}
	if os.Setenv(envName, placeholder) == nil {
		armed = true
	}
}

// busFound reports whether godbus would find a session bus without
// launching one: an address in the variable, or one of the files it looks
// for in /run/user/<uid>.
func busFound() bool {
	if original != "" && original != "autolaunch:" {
		return true
	}
	dir := "/run/user/" + itoa(os.Getuid())
	for _, f := range []string{dir + "/bus", dir + "/dbus-session"} {
		if _, err := os.Stat(f); err == nil {
			return true
		}
	}
	return false
}

// defers reports whether the command line is `acctui token ...`: the
// command as the first argument, as scripts, kubectl and git helpers
// write it. A command named after flags is not recognised here and simply
// probes as before.
func defers(args []string) bool {
	return len(args) > 1 && args[1] == "token"
}

// Restore puts DBUS_SESSION_BUS_ADDRESS back as it was before this
// package's init (Deferred stays as it is). The vault package calls it
// from its own init.
func Restore() {
	if !armed {
		return
	}
	armed = false
	if os.Getenv(envName) != placeholder {
		return // someone set a real address meanwhile
	}
	if had {
		os.Setenv(envName, original)
	} else {
		os.Unsetenv(envName)
	}
}

// itoa formats a non-negative int without strconv, to keep this package's
// imports to os.
func itoa(n int) string {
	if n <= 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
