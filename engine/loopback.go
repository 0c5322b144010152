package engine

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// loopbackTarget is where an interactive sign-in listens for the browser's
// answer and the redirect URI it announces.
type loopbackTarget struct {
	host string // as written in the redirect URI
	// listen is the address listened on: the redirect's own loopback IP,
	// or 127.0.0.1 for a name (localhost).
	listen string
	port   int // 0: any free port
	path   string
	// exact keeps the path as given (a registered URI), even a bare "/".
	exact bool
}

func (t loopbackTarget) uri(port int) string {
	path := t.path
	if path == "/" && !t.exact {
		path = "" // Entra's registered form is http://localhost:{port}
	}
	return "http://" + t.host + ":" + strconv.Itoa(port) + path
}

// loopbackRedirect picks the redirect URI of an interactive sign-in. Entra
// kinds use http://localhost:{port}, which Entra matches with any port; a
// generic provider gets RFC 8252's http://127.0.0.1:{port}/callback. A
// redirect URI given with WithRedirectURI (for providers that match
// registered URIs exactly) must be http on a loopback address; its port,
// when it names one, is the one listened on.
func loopbackRedirect(a Authority, o callOptions) (loopbackTarget, error) {
	if o.redirectURI == "" {
		if a.Kind == KindOIDC {
			return loopbackTarget{host: "127.0.0.1", listen: "127.0.0.1", port: o.port, path: "/callback"}, nil
		}
		return loopbackTarget{host: "localhost", listen: "127.0.0.1", port: o.port, path: "/"}, nil
	}
	u, err := url.Parse(o.redirectURI)
	if err != nil || u.Scheme != "http" || !isLoopbackHost(strings.ToLower(u.Hostname())) || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return loopbackTarget{}, fmt.Errorf("engine: redirect URI %q: an interactive sign-in needs http://127.0.0.1:{port}/{path} or http://localhost:{port}/{path}", o.redirectURI)
	}
	t := loopbackTarget{host: u.Hostname(), listen: "127.0.0.1", path: u.EscapedPath(), port: o.port, exact: u.Path != ""}
	if net.ParseIP(t.host) != nil {
		t.listen = t.host
	}
	if strings.Contains(t.host, ":") {
		t.host = "[" + t.host + "]"
	}
	if t.path == "" {
		t.path = "/"
	}
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil || port <= 0 || port > 65535 {
			return loopbackTarget{}, fmt.Errorf("engine: redirect URI %q: bad port", o.redirectURI)
		}
		t.port = port
	}
	return t, nil
}
