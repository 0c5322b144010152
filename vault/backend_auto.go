package vault

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/godbus/dbus"
)

// resolve settles the backend once: the configured one, or for "auto" the
// platform's keyring, and on Linux the Secret Service only when it can
// answer without a prompt, because a locked collection would pop up an
// unlock dialog nobody sees on a headless machine (and block until the
// timeout).
func (k *keyStore) resolve(ctx context.Context) (string, error) {
	if k.backend != "" {
		return k.backend, nil
	}
	b := k.opts.Backend
	if b == BackendAuto {
		switch runtime.GOOS {
		case "darwin":
			b = BackendKeychain
		case "windows":
			b = BackendWinCred
		default:
			b = BackendFile
			if secretServiceReady(ctx, sessionBusAddress(k.opts.Getenv), k.opts.Collection, k.opts.Timeout) {
				b = BackendSecretService
			}
		}
	}
	k.backend = b
	return b, nil
}

// sessionBusAddress is $DBUS_SESSION_BUS_ADDRESS, else the systemd user
// bus at $XDG_RUNTIME_DIR/bus when it exists (an ssh login often has the
// bus without the variable), else "".
func sessionBusAddress(getenv func(string) string) string {
	if addr := getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" {
		return addr
	}
	if dir := getenv("XDG_RUNTIME_DIR"); dir != "" {
		if _, err := os.Stat(filepath.Join(dir, "bus")); err == nil {
			return "unix:path=" + filepath.Join(dir, "bus")
		}
	}
	return ""
}

// godbusFindsBus reports whether the D-Bus library would find a session bus
// without launching one: the places it looks, in its order.
func godbusFindsBus() bool {
	if addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" {
		return true
	}
	dir := fmt.Sprintf("/run/user/%d", os.Getuid())
	for _, f := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return true
		}
	}
	return false
}

// secretServiceReady reports whether a Secret Service answers on the
// session bus at addr and has the collection, unlocked, within timeout.
// It neither autolaunches a bus nor lets D-Bus activate a keyring daemon:
// a daemon started that way has its collection locked anyway.
func secretServiceReady(ctx context.Context, addr, collection string, timeout time.Duration) bool {
	if addr == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	answer := make(chan bool, 1)
	go func() { answer <- collectionUnlocked(addr, collection) }()
	select {
	case ok := <-answer:
		return ok
	case <-ctx.Done():
		return false
	}
}

// collectionUnlocked asks the Secret Service for the collection's Locked
// property over a private connection.
func collectionUnlocked(addr, collection string) bool {
	conn, err := dbus.Dial(addr)
	if err != nil {
		return false
	}
	defer conn.Close()
	if conn.Auth(nil) != nil || conn.Hello() != nil {
		return false
	}
	path := dbus.ObjectPath("/org/freedesktop/secrets/collection/" + escapeObjectPathElement(collection))
	var locked dbus.Variant
	err = conn.Object("org.freedesktop.secrets", path).
		Call("org.freedesktop.DBus.Properties.Get", dbus.FlagNoAutoStart, "org.freedesktop.Secret.Collection", "Locked").
		Store(&locked)
	if err != nil {
		return false
	}
	isLocked, ok := locked.Value().(bool)
	return ok && !isLocked
}

// escapeObjectPathElement encodes a collection name the way GNOME Keyring
// names its object paths: bytes outside [A-Za-z0-9] become _XX.
func escapeObjectPathElement(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			out = append(out, c)
			continue
		}
		out = append(out, fmt.Sprintf("_%02x", c)...)
	}
	return string(out)
}
