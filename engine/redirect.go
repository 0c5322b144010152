package engine

import (
	"errors"
	"net/http"
)

// errRedirect stops the HTTP client at any redirect: the identity
// platform's endpoints answer in place, and following a redirect could hand
// a grant's follow-up to another host.
var errRedirect = errors.New("engine: the identity provider answered with a redirect; refusing to follow it")

// noRedirects returns a copy of client that never follows a redirect.
func noRedirects(client *http.Client) *http.Client {
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return errRedirect }
	return &c
}
