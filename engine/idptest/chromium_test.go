package idptest

// The sign-in pages in a real browser: headless Chromium (Debian's
// chromium, installed by .ci/run) driven over the DevTools protocol on a
// pipe (--remote-debugging-pipe: JSON messages ending in NUL on fds 3 and
// 4), so no WebDriver or WebSocket library is needed.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

const chromiumPath = "/usr/bin/chromium"

// cdp is a DevTools protocol connection to one page of a browser.
type cdp struct {
	t       *testing.T
	w       io.Writer
	mu      sync.Mutex
	nextID  int
	waiting map[int]chan cdpMessage
	events  chan cdpMessage
	session string
}

type cdpMessage struct {
	ID        int             `json:"id"`
	Method    string          `json:"method"`
	SessionID string          `json:"sessionId"`
	Result    json.RawMessage `json:"result"`
	Params    json.RawMessage `json:"params"`
	Error     *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// startChromium starts headless Chromium with a fresh profile and opens
// one page, or skips the test when Chromium is not installed.
func startChromium(t *testing.T) *cdp {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		reason := "headless Chromium is not installed (" + chromiumPath + "); install it with: apt-get install -y chromium"
		if os.Getenv("CI") != "" {
			t.Fatal(reason)
		}
		t.Skip(reason)
	}
	toBrowser, browserIn, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	browserOut, fromBrowser, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(chromiumPath, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
		"--user-data-dir="+t.TempDir(), "--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{toBrowser, fromBrowser} // fds 3 and 4
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	toBrowser.Close()
	fromBrowser.Close()
	c := &cdp{t: t, w: browserIn, waiting: map[int]chan cdpMessage{}, events: make(chan cdpMessage, 256)}
	go c.read(browserOut)
	t.Cleanup(func() {
		browserIn.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		browserOut.Close()
		if t.Failed() {
			t.Logf("chromium stderr:\n%s", stderr.String())
		}
	})
	var target struct {
		TargetID string `json:"targetId"`
	}
	c.call("", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	c.call("", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached)
	c.session = attached.SessionID
	c.call(c.session, "Page.enable", nil, nil)
	return c
}

func (c *cdp) read(r io.Reader) {
	br := bufio.NewReader(r)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			close(c.events)
			c.mu.Lock()
			for id, ch := range c.waiting {
				close(ch)
				delete(c.waiting, id)
			}
			c.mu.Unlock()
			return
		}
		var m cdpMessage
		if json.Unmarshal(raw[:len(raw)-1], &m) != nil {
			continue
		}
		if m.ID != 0 {
			c.mu.Lock()
			ch := c.waiting[m.ID]
			delete(c.waiting, m.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- m
			}
			continue
		}
		select {
		case c.events <- m:
		default: // nobody waits for this many events
		}
	}
}

// call sends a command and waits for its answer.
func (c *cdp) call(session, method string, params, result any) {
	c.t.Helper()
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan cdpMessage, 1)
	c.waiting[id] = ch
	c.mu.Unlock()
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	data, _ := json.Marshal(msg)
	if _, err := c.w.Write(append(data, 0)); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
	select {
	case m, ok := <-ch:
		if !ok {
			c.t.Fatalf("%s: chromium closed the pipe", method)
		}
		if m.Error != nil {
			c.t.Fatalf("%s: %s", method, m.Error.Message)
		}
		if result != nil {
			if err := json.Unmarshal(m.Result, result); err != nil {
				c.t.Fatalf("%s: %v", method, err)
			}
		}
	case <-time.After(30 * time.Second):
		c.t.Fatalf("%s: no answer from chromium in 30s", method)
	}
}

// eval runs JavaScript in the page and returns its value as a string.
func (c *cdp) eval(expr string) string {
	c.t.Helper()
	var out struct {
		Result struct {
			Value any `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	c.call(c.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &out)
	if out.ExceptionDetails != nil {
		c.t.Fatalf("%s: %s", expr, out.ExceptionDetails.Text)
	}
	return fmt.Sprint(out.Result.Value)
}

// waitLoad waits for the page's next load event.
func (c *cdp) waitLoad(what string) {
	c.t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case m, ok := <-c.events:
			if !ok {
				c.t.Fatalf("%s: chromium closed the pipe", what)
			}
			if m.Method == "Page.loadEventFired" && m.SessionID == c.session {
				return
			}
		case <-timeout:
			c.t.Fatalf("%s: no page load in 30s", what)
		}
	}
}

// forgetLoads drops the events already delivered, so the next waitLoad
// waits for a page the coming action loads, not one an earlier redirect
// loaded after its wait returned.
func (c *cdp) forgetLoads() {
	for {
		select {
		case _, ok := <-c.events:
			if !ok {
				return
			}
		default:
			return
		}
	}
}

func (c *cdp) navigate(u string) {
	c.t.Helper()
	c.forgetLoads()
	c.call(c.session, "Page.navigate", map[string]any{"url": u}, nil)
	c.waitLoad("open " + u)
}

// typeInto focuses a field, empties it and types text as keystrokes would.
func (c *cdp) typeInto(id, text string) {
	c.t.Helper()
	c.eval(fmt.Sprintf(`(function(){var e=document.getElementById(%q); e.focus(); e.select(); return e.id})()`, id))
	c.call(c.session, "Input.insertText", map[string]any{"text": text}, nil)
}

// pressEnter sends the Enter key to the focused element.
func (c *cdp) pressEnter() {
	c.t.Helper()
	c.forgetLoads()
	for _, typ := range []string{"keyDown", "keyUp"} {
		params := map[string]any{"type": typ, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 13, "nativeVirtualKeyCode": 13}
		if typ == "keyDown" {
			params["text"] = "\r"
		}
		c.call(c.session, "Input.dispatchKeyEvent", params, nil)
	}
}

// defaultButton is the value of the form's default button: the first
// submit button, which Enter in any field presses.
func (c *cdp) defaultButton() string {
	c.t.Helper()
	return c.eval(`(function(){var b=document.querySelector('#idp-form button:not([type]), #idp-form button[type=submit]'); return b ? b.value : ''})()`)
}

// redirectCatcher is the app's loopback redirect URI.
type redirectCatcher struct {
	uri string
	got chan url.Values
}

func catchRedirects(t *testing.T) *redirectCatcher {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rc := &redirectCatcher{uri: "http://" + ln.Addr().String() + "/", got: make(chan url.Values, 4)}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			rc.got <- r.URL.Query()
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<!DOCTYPE html><title>done</title>signed in")
	}), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	return rc
}

func (rc *redirectCatcher) wait(t *testing.T) url.Values {
	t.Helper()
	select {
	case q := <-rc.got:
		return q
	case <-time.After(30 * time.Second):
		t.Fatal("the browser did not come back to the redirect URI within 30s")
		return nil
	}
}

// TestSignInPagesInChromium uses the sign-in pages as a person in a browser
// does: a bare username reaches the server (the field is not type=email,
// which the browser would refuse to submit), Enter in the password field
// signs in, the MFA and consent pages' default button is the primary
// action, and a federated user signs in at AD FS's page.
func TestSignInPagesInChromium(t *testing.T) {
	srv := Start(t, Options{})
	browser := startChromium(t)
	rc := catchRedirects(t)
	authorize := func(extra url.Values) string {
		q := url.Values{"client_id": {cli}, "response_type": {"code"}, "redirect_uri": {rc.uri},
			"scope": {graphScope}, "state": {"s-1"}, "prompt": {"login"}}
		for k, v := range extra {
			q[k] = v
		}
		return srv.URL() + "/organizations/oauth2/v2.0/authorize?" + q.Encode()
	}

	browser.navigate(authorize(nil))
	if got := browser.eval(`document.getElementById('login').type`); got != "text" {
		t.Errorf("username field type = %q, want text (a bare username must be accepted)", got)
	}
	if got := browser.defaultButton(); got != "signin" {
		t.Errorf("sign-in page's default button = %q, want signin", got)
	}
	before := srv.CountRequests(EndpointLogin, "")
	browser.typeInto("login", "alice")
	browser.typeInto("passwd", "demo-alice")
	browser.pressEnter()
	browser.waitLoad("bare username submitted")
	if n := srv.CountRequests(EndpointLogin, "") - before; n != 1 {
		t.Fatalf("a bare username was not submitted (%d form posts)", n)
	}
	if got := browser.eval(`(document.getElementById('error')||{}).textContent||''`); !strings.Contains(got, "incorrect") {
		t.Errorf("bare username: page error %q, want the emulator's answer", got)
	}

	// Enter in the password field signs in.
	browser.typeInto("login", "alice@contoso.example")
	browser.typeInto("passwd", "demo-alice")
	browser.pressEnter()
	q := rc.wait(t)
	if q.Get("code") == "" || q.Get("state") != "s-1" || q.Get("error") != "" {
		t.Fatalf("Enter in the password field: redirect %v, want a code", q)
	}

	// Bob needs MFA; prompt=consent asks for consent too. Each page's
	// default button goes on.
	browser.navigate(authorize(url.Values{"prompt": {"consent"}, "login_hint": {"bob@contoso.example"}}))
	browser.typeInto("passwd", "demo-bob")
	browser.pressEnter()
	browser.waitLoad("MFA page")
	for _, want := range []string{"mfa", "consent"} {
		if got := browser.defaultButton(); got != want {
			t.Fatalf("default button = %q, want %s (page %q)", got, want, browser.eval(`document.title`))
		}
		browser.eval(`document.querySelector('#idp-form button').click(); 'clicked'`)
		if want == "mfa" {
			browser.waitLoad("consent page")
		}
	}
	q = rc.wait(t)
	if q.Get("code") == "" || q.Get("error") != "" {
		t.Fatalf("after MFA and consent: redirect %v, want a code", q)
	}

	// A federated user: Enter after the username goes to AD FS, whose
	// password field signs in on Enter too, and whose token the browser
	// posts back to Entra by itself.
	browser.navigate(authorize(nil))
	browser.typeInto("login", "erin@ad.contoso.example")
	browser.pressEnter()
	browser.waitLoad("AD FS page")
	if got := browser.eval(`location.pathname`); got != "/sts/ad.contoso.example/adfs/ls/" {
		t.Fatalf("after a federated username the browser is at %q, want AD FS", got)
	}
	if got := browser.eval(`document.getElementById('userNameInput').value`); got != "erin@ad.contoso.example" {
		t.Errorf("AD FS user field = %q, want the username from Entra's page", got)
	}
	if got := browser.defaultButton(); got != "signin" {
		t.Errorf("AD FS page's default button = %q, want signin", got)
	}
	browser.typeInto("passwordInput", "demo-erin")
	browser.pressEnter()
	q = rc.wait(t)
	if q.Get("code") == "" || q.Get("error") != "" {
		t.Fatalf("federated sign-in: redirect %v, want a code", q)
	}
}
