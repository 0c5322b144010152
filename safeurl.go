package main

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"acctui/internal/safetext"
)

// checkVerificationURI refuses a device-code verification address that a
// person should not be sent to: anything but https, or http on a loopback
// host (the local emulator). The identity provider chooses this address and
// acctui prints it and draws it as a QR code, so a hostile or tampered
// answer could point the user at a look-alike page. The engine checks it
// too; this is the last look before it reaches the screen.
func checkVerificationURI(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || !safetext.IsClean(raw) || strings.ContainsAny(raw, " \t") {
		return fmt.Errorf("the identity provider sent an unusable verification address %q; refused", safetext.Line(raw))
	}
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
		return nil
	}
	return fmt.Errorf("the identity provider sent a verification address that is not https (%s); refused", safetext.Line(raw))
}

// isLoopbackHost is true for localhost and loopback IP addresses.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
