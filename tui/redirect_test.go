package tui

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"acctui/engine/idptest"
)

// TestBrowserSignInRedirectURI: the TUI's browser sign-in sends the
// configured redirect URI (--redirect-uri), and carol signs in through it.
func TestBrowserSignInRedirectURI(t *testing.T) {
	e := newEnv(t)
	e.backend = NewEngineBackend(e.client, e.store, graph, e.srv.Now, WithRedirectURI("http://127.0.0.1/tui-callback"))
	errs := make(chan error, 1)
	var sent string
	h := newHarness(t, e, 80, 24, func(o *Options) {
		o.OpenBrowser = func(authURL string) error {
			u, err := url.Parse(authURL)
			if err != nil {
				return err
			}
			sent = u.Query().Get("redirect_uri")
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				b := idptest.NewBrowser(e.srv.Client())
				resp, err := b.SignIn(ctx, authURL, carol, passwords[carol])
				if err == nil {
					_, _, err = b.Deliver(ctx, resp)
				}
				errs <- err
			}()
			return nil
		}
	})
	h.press("a", "enter")
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sent, "http://127.0.0.1:") || !strings.HasSuffix(sent, "/tui-callback") {
		t.Errorf("redirect_uri %q, want http://127.0.0.1:{port}/tui-callback", sent)
	}
	h.contains("signed in as carol@contoso.example")
}
