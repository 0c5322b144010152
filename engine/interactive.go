package engine

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// defaultInteractiveTimeout bounds how long a browser sign-in may take.
const defaultInteractiveTimeout = 5 * time.Minute

// AcquireTokenInteractive signs the user in through a browser: it listens
// on 127.0.0.1 (a free port, or WithPort for SSH forwarding), builds an
// auth-code flow with PKCE, state and nonce whose redirect URI is
// http://localhost:<port>, hands the URL to the WithOpenURL hook, accepts
// exactly one response that carries the flow's state, and redeems it.
// Requests with a wrong or missing state are refused without ending the
// sign-in. It gives up after WithTimeout (5 minutes by default) with
// ErrTimeout.
func (c *Client) AcquireTokenInteractive(ctx context.Context, scopes []string, opts ...Option) (Result, error) {
	o, err := collectFor("AcquireTokenInteractive", interactiveOptions, opts)
	if err != nil {
		return Result{}, err
	}
	if o.openURL == nil {
		return Result{}, errors.New("engine: an interactive sign-in needs a way to show its URL (WithOpenURL)")
	}
	timeout := o.timeout
	if timeout <= 0 {
		timeout = defaultInteractiveTimeout
	}
	a, err := c.callAuthority(o)
	if err != nil {
		return Result{}, err
	}
	redirect, err := loopbackRedirect(a, o)
	if err != nil {
		return Result{}, err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(redirect.listen, strconv.Itoa(redirect.port)))
	if err != nil {
		return Result{}, fmt.Errorf("engine: cannot listen on %s for the browser's answer: %w", net.JoinHostPort(redirect.listen, strconv.Itoa(redirect.port)), err)
	}
	redirectURI := redirect.uri(ln.Addr().(*net.TCPAddr).Port)
	flowOpts := o
	flowOpts.redirectURI, flowOpts.responseMode, flowOpts.state = redirectURI, "", ""
	flow, err := c.initiateAuthCodeFlow(ctx, scopes, flowOpts)
	if err != nil {
		ln.Close()
		return Result{}, err
	}

	responses := make(chan url.Values, 1)
	server := &http.Server{
		Handler:           loopbackHandler(redirect.path, flow.State, responses),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go server.Serve(ln)
	defer shutdownQuickly(server)

	if err := o.openURL(flow.AuthURI); err != nil {
		return Result{}, fmt.Errorf("engine: open the sign-in URL: %w", err)
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	var params url.Values
	select {
	case params = <-responses:
	case <-timer.C:
		return Result{}, ErrTimeout
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	shutdownQuickly(server) // one response only
	return c.AcquireTokenByAuthCodeFlow(ctx, flow, params, nil)
}

// shutdownQuickly stops the listener, letting a response in flight finish.
func shutdownQuickly(server *http.Server) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if server.Shutdown(ctx) != nil {
		server.Close()
	}
}

// loopbackHandler answers the browser's redirect. Only a request that
// carries the flow's state counts; the first one is passed on and every
// later one is told the sign-in is over.
func loopbackHandler(path, state string, responses chan<- url.Values) http.Handler {
	done := make(chan struct{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		if r.Method != http.MethodGet || r.URL.Path != path {
			w.WriteHeader(http.StatusNotFound)
			renderLoopbackPage(w, "Not found", "This address only receives the sign-in answer.")
			return
		}
		q := r.URL.Query()
		if q.Get("state") == "" || q.Get("state") != state {
			w.WriteHeader(http.StatusBadRequest)
			renderLoopbackPage(w, "Sign-in answer refused", "This answer does not belong to the sign-in acctui started (its state does not match). Nothing was done; you can close this tab.")
			return
		}
		select {
		case <-done:
			w.WriteHeader(http.StatusGone)
			renderLoopbackPage(w, "Already done", "The sign-in already received its answer. You can close this tab.")
			return
		default:
			close(done)
		}
		// Answer the browser before handing the response on: the listener
		// shuts down as soon as the flow has it.
		if e := q.Get("error"); e != "" {
			renderLoopbackPage(w, "Sign-in failed", e+": "+firstLine(q.Get("error_description"))+" Return to acctui for what to do next.")
		} else {
			renderLoopbackPage(w, "Signed in", "acctui received your sign-in. You can close this tab and return to the terminal.")
		}
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		responses <- q
	})
}

// loopbackPage is parsed when a browser sign-in first needs it, not at
// every start: html/template's parse was most of this package's init,
// which `acctui token` paid too.
var loopbackPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Parse(loopbackPageText))
})

const loopbackPageText = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} - acctui</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Text}}</p></body></html>`

func renderLoopbackPage(w http.ResponseWriter, title, text string) {
	_ = loopbackPage().Execute(w, struct{ Title, Text string }{title, text})
}
