package engine

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"acctui/engine/idptest"
)

// browserOpener acts as the user's browser: it signs in on the emulator's
// page and follows the redirect to the engine's loopback listener.
func browserOpener(t *testing.T, e *env, username, password string, before func(redirect *idptest.AuthResponse)) func(string) error {
	return func(authURL string) error {
		go func() {
			b := idptest.NewBrowser(e.srv.Client())
			resp, err := b.SignIn(context.Background(), authURL, username, password)
			if err != nil {
				t.Errorf("browser: %v", err)
				return
			}
			if before != nil {
				before(resp)
			}
			if _, _, err := b.Deliver(context.Background(), resp); err != nil {
				t.Errorf("deliver: %v", err)
			}
		}()
		return nil
	}
}

func TestInteractive(t *testing.T) {
	e := newEnv(t)
	var seen string
	open := browserOpener(t, e, "bob@contoso.example", "demo-bob", func(resp *idptest.AuthResponse) { seen = resp.RedirectURI })
	got, err := e.client.AcquireTokenInteractive(context.Background(), graph, WithOpenURL(open), WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if got.Account.Username != "bob@contoso.example" || !strings.HasPrefix(seen, "http://localhost:") {
		t.Errorf("result %v, redirect %s", got, seen)
	}
}

func TestInteractiveListener(t *testing.T) {
	e := newEnv(t)
	t.Run("wrong and missing state are refused without ending the flow", func(t *testing.T) {
		open := func(authURL string) error {
			u, _ := url.Parse(authURL)
			redirectURI := u.Query().Get("redirect_uri")
			go func() {
				for _, q := range []string{"?code=evil&state=forged", "?code=evil"} {
					resp, err := http.Get(redirectURI + q)
					if err != nil {
						t.Errorf("listener: %v", err)
						return
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "state does not match") {
						t.Errorf("forged answer: HTTP %d %s", resp.StatusCode, body)
					}
				}
				browserOpener(t, e, alice, "demo-alice", nil)(authURL)
			}()
			return nil
		}
		got, err := e.client.AcquireTokenInteractive(context.Background(), graph, WithOpenURL(open), WithTimeout(10*time.Second))
		if err != nil || got.Account.Username != alice {
			t.Fatalf("%v %v", got, err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		_, err := e.client.AcquireTokenInteractive(context.Background(), graph, WithOpenURL(func(string) error { return nil }), WithTimeout(50*time.Millisecond))
		if !errors.Is(err, ErrTimeout) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("cancelled sign-in", func(t *testing.T) {
		open := func(authURL string) error {
			go func() {
				b := idptest.NewBrowser(e.srv.Client())
				resp, err := b.Cancel(context.Background(), authURL)
				if err == nil {
					b.Deliver(context.Background(), resp)
				}
			}()
			return nil
		}
		_, err := e.client.AcquireTokenInteractive(context.Background(), graph, WithOpenURL(open), WithTimeout(10*time.Second))
		if !errors.Is(err, ErrDeclined) {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("fixed port, listener closed afterwards", func(t *testing.T) {
		ln, _ := listenFree(t)
		port := ln
		open := browserOpener(t, e, alice, "demo-alice", nil)
		if _, err := e.client.AcquireTokenInteractive(context.Background(), graph, WithOpenURL(open), WithPort(port), WithTimeout(10*time.Second)); err != nil {
			t.Fatal(err)
		}
		if _, err := http.Get("http://127.0.0.1:" + itoa(port) + "/?state=x"); err == nil {
			t.Error("the listener is still open after the sign-in")
		}
	})
	t.Run("no way to show the URL", func(t *testing.T) {
		if _, err := e.client.AcquireTokenInteractive(context.Background(), graph); err == nil {
			t.Error("want an error without WithOpenURL")
		}
	})
}

func TestLoopbackListenerHardening(t *testing.T) {
	e := newEnv(t)
	checked := make(chan struct{})
	open := func(authURL string) error {
		u, _ := url.Parse(authURL)
		redirectURI := u.Query().Get("redirect_uri")
		state := u.Query().Get("state")
		port := redirectURI[strings.LastIndex(redirectURI, ":")+1:]
		go func() {
			defer close(checked)
			if conn, err := net.Dial("tcp", "[::1]:"+port); err == nil {
				conn.Close()
				t.Errorf("the listener answers on ::1; it must bind 127.0.0.1 only")
			}
			evil := url.Values{"state": {state}, "error": {`<script>alert(1)</script>`}, "error_description": {`<img src=x onerror=alert(2)>`}}
			resp, err := http.Get(redirectURI + "/?" + evil.Encode())
			if err != nil {
				t.Errorf("listener: %v", err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(body), "<script>") || strings.Contains(string(body), "<img") || !strings.Contains(string(body), "&lt;script&gt;") {
				t.Errorf("the error page does not escape what it echoes:\n%s", body)
			}
			// a second answer, even a well-formed one, is refused
			resp, err = http.Get(redirectURI + "/?" + url.Values{"state": {state}, "code": {"x"}}.Encode())
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					t.Errorf("a second response was accepted")
				}
			}
		}()
		return nil
	}
	_, err := e.client.AcquireTokenInteractive(context.Background(), graph, WithOpenURL(open), WithTimeout(10*time.Second))
	var ie *Error
	if !errors.As(err, &ie) || ie.Code != "<script>alert(1)</script>" {
		t.Fatalf("the error answer ends the flow as *Error: %v", err)
	}
	<-checked
}
