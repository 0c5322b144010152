package engine

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"acctui/engine/idptest"
)

// TestFaultMatrix breaks the token endpoint in every way the network and
// identity providers do, during a refresh, and checks each time: one
// readable error, no panic, the cache as it was, and no request inside a
// Retry-After window.
func TestFaultMatrix(t *testing.T) {
	cases := []struct {
		name  string
		fault idptest.Fault
		// timeout bounds the call (the slow answer outlasts it)
		timeout time.Duration
		want    func(error) bool
		// retried is how many requests the fault makes (drops are retried once)
		requests int
	}{
		{"500", idptest.Fault{Kind: idptest.FaultStatus, Status: 500}, 0, func(err error) bool {
			var e *Error
			return errors.As(err, &e) && e.HTTPStatus == 500
		}, 1},
		{"503 with Retry-After", idptest.Fault{Kind: idptest.FaultStatus, Status: 503, RetryAfterSeconds: 120}, 0, func(err error) bool {
			var e *Error
			return errors.As(err, &e) && e.HTTPStatus == 503 && e.RetryAfter == 2*time.Minute
		}, 1},
		{"429", idptest.Fault{Kind: idptest.FaultStatus, Status: 429}, 0, func(err error) bool {
			var e *Error
			return errors.As(err, &e) && e.HTTPStatus == 429
		}, 1},
		{"slow answer past the deadline", idptest.Fault{Kind: idptest.FaultDelay, DelayMillis: 3000}, 300 * time.Millisecond, func(err error) bool {
			return errors.Is(err, context.DeadlineExceeded)
		}, 1},
		{"malformed JSON", idptest.Fault{Kind: idptest.FaultMalformedJSON}, 0, func(err error) bool {
			return strings.Contains(err.Error(), "malformed JSON")
		}, 1},
		{"HTML error page", idptest.Fault{Kind: idptest.FaultHTML}, 0, func(err error) bool {
			return strings.Contains(err.Error(), "HTML page")
		}, 1},
		// A truncated body surfaces as an unexpected EOF or, when the TLS
		// close arrives first, as malformed JSON. Either is one clear
		// error, and the request, which reached the server, is not resent.
		{"truncated body", idptest.Fault{Kind: idptest.FaultTruncated, Count: 2}, 0, func(err error) bool {
			var ne *NetworkError
			return errors.As(err, &ne) || strings.Contains(err.Error(), "malformed JSON")
		}, 1},
		{"body larger than the read bound", idptest.Fault{Kind: idptest.FaultOversize}, 0, func(err error) bool {
			return strings.Contains(err.Error(), "more than")
		}, 1},
		// the request reached the server before the reset: never resent
		{"dropped connection", idptest.Fault{Kind: idptest.FaultDrop, Count: 2}, 0, func(err error) bool {
			var ne *NetworkError
			return errors.As(err, &ne)
		}, 1},
		{"redirect to another host", idptest.Fault{Kind: idptest.FaultRedirect}, 0, func(err error) bool {
			return errors.Is(err, errRedirect)
		}, 1},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			first := e.signIn(t, alice, "demo-alice")
			before, _ := e.store.Snapshot().Marshal()
			tt.fault.Endpoint = idptest.EndpointToken
			if err := e.srv.InjectFault(tt.fault); err != nil {
				t.Fatal(err)
			}
			e.srv.ResetRequests()
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			_, err := e.client.AcquireTokenSilent(ctx, graph, first.Account, WithForceRefresh())
			if err == nil || !tt.want(err) {
				t.Fatalf("err = %v", err)
			}
			if msg := err.Error(); strings.Contains(msg, "\n") || len(msg) > 600 || strings.Contains(msg, first.AccessToken.Reveal()) {
				t.Errorf("not one readable line: %q", msg)
			}
			// a negative count means "up to": the fault may or may not be retried
			if n := settledCount(e, abs(tt.requests)); n != tt.requests && (tt.requests > 0 || n < 1 || n > -tt.requests) {
				t.Errorf("%d token requests, want %d", n, tt.requests)
			}
			after, _ := e.store.Snapshot().Marshal()
			throttles := tt.fault.Status == 429 || tt.fault.Status >= 500 || tt.fault.Kind == idptest.FaultHTML // a 502 page
			if !throttles && string(after) != string(before) {
				t.Error("a failed refresh changed the cache")
			}
			// the cached token is still served without the network
			e.srv.ResetRequests()
			got, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account)
			if err != nil || got.AccessToken != first.AccessToken || len(e.srv.Requests()) != 0 {
				t.Errorf("after the fault: %v %v, %d requests", got, err, len(e.srv.Requests()))
			}
			if throttles {
				_, err := e.client.AcquireTokenSilent(context.Background(), graph, first.Account, WithForceRefresh())
				var te *ThrottledError
				if !errors.As(err, &te) || len(e.srv.Requests()) != 0 {
					t.Errorf("inside the Retry-After window: %v, %d requests", err, len(e.srv.Requests()))
				}
			}
		})
	}
}

func TestUntrustedCertificateIsRefused(t *testing.T) {
	srv := idptest.Start(t, idptest.Options{TLS: true})
	client, err := New(Config{ClientID: cliID, Authority: srv.Authority("organizations"), HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.AcquireTokenByUsernamePassword(context.Background(), graph, alice, "demo-alice")
	var ne *NetworkError
	if !errors.As(err, &ne) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("err = %v", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the server past an untrusted certificate", n)
	}
}

// settledCount counts token requests once the emulator's answered log
// holds at least want of them and every token request that arrived has been
// answered: it logs a request the client gave up on only when its handler
// returns. The deadline only bounds a broken run; the caller then reports
// the count.
func settledCount(e *env, want int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		arrived := 0
		for _, r := range e.srv.Arrived() {
			if r.Endpoint == idptest.EndpointToken {
				arrived++
			}
		}
		n := e.tokenCalls("")
		if (n >= want && n == arrived) || time.Now().After(deadline) {
			return n
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
