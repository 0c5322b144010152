package idptest

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// Browser drives the emulator's sign-in pages over HTTP as a person in a
// browser would: it follows its own pages, fills the forms and stops at the
// redirect back to the application. Tests of interactive flows use it.
type Browser struct {
	client   *http.Client
	lastBase *url.URL
}

// AuthResponse is what the identity provider sent back to the app's
// redirect URI.
type AuthResponse struct {
	RedirectURI string
	Params      url.Values
	// FormPost is set when the response came as an auto-submitted form
	// (response_mode=form_post) instead of a query string.
	FormPost bool
}

// NewBrowser returns a browser with its own cookie jar (its SSO session)
// using the transport of client, such as Server.Client().
func NewBrowser(client *http.Client) *Browser {
	jar, _ := cookiejar.New(nil)
	return &Browser{client: &http.Client{
		Transport: client.Transport,
		Jar:       jar,
		Timeout:   client.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
}

// SignIn opens an authorization URL and completes every page (password,
// MFA approval, consent) for the user. It returns the response for the
// redirect URI without calling it; use Deliver for that.
func (b *Browser) SignIn(ctx context.Context, authURL, username, password string) (*AuthResponse, error) {
	page, resp, err := b.get(ctx, authURL)
	if err != nil || resp != nil {
		return resp, err
	}
	return b.completePages(ctx, page, username, password, "signin")
}

// Cancel opens an authorization URL and presses Cancel.
func (b *Browser) Cancel(ctx context.Context, authURL string) (*AuthResponse, error) {
	page, resp, err := b.get(ctx, authURL)
	if err != nil || resp != nil {
		return resp, err
	}
	_, resp, err = b.submit(ctx, page, "cancel", nil)
	return resp, err
}

// Open loads an authorization URL and reports the redirect if the provider
// answered without a page (SSO from the session cookie, prompt=none).
func (b *Browser) Open(ctx context.Context, authURL string) (*AuthResponse, string, error) {
	page, resp, err := b.get(ctx, authURL)
	return resp, page, err
}

// DeviceSignIn enters a user code on the device page, signs in and approves
// (or declines) the request.
func (b *Browser) DeviceSignIn(ctx context.Context, verificationURI, userCode, username, password string, approve bool) error {
	page, _, err := b.get(ctx, verificationURI)
	if err != nil {
		return err
	}
	page, _, err = b.submitTo(ctx, page, "next", url.Values{"otc": {userCode}})
	if err != nil {
		return err
	}
	if msg := pageError(page); msg != "" {
		return errors.New("idptest browser: " + msg)
	}
	final := "confirm"
	if !approve {
		final = "cancel"
	}
	for range 6 {
		action := nextAction(page)
		switch action {
		case "":
			if msg := pageError(page); msg != "" {
				return errors.New("idptest browser: " + msg)
			}
			return nil
		case "signin":
			page, _, err = b.submit(ctx, page, "signin", credentials(username, password))
		case "confirm":
			page, _, err = b.submit(ctx, page, final, nil)
		default:
			page, _, err = b.submit(ctx, page, action, nil)
		}
		if err != nil {
			return err
		}
	}
	return errors.New("idptest browser: too many pages")
}

// Deliver sends the response to the app's redirect URI, as the browser's
// redirect or auto-submitted form would, and returns the app's page body.
func (b *Browser) Deliver(ctx context.Context, r *AuthResponse) (int, string, error) {
	var req *http.Request
	var err error
	if r.FormPost {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, r.RedirectURI, strings.NewReader(r.Params.Encode()))
		if req != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		u, perr := url.Parse(r.RedirectURI)
		if perr != nil {
			return 0, "", perr
		}
		u.RawQuery = r.Params.Encode()
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	}
	if err != nil {
		return 0, "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(body), err
}

func (b *Browser) completePages(ctx context.Context, page, username, password, first string) (*AuthResponse, error) {
	for range 8 {
		action := nextAction(page)
		var fields url.Values
		switch action {
		case "":
			if msg := pageError(page); msg != "" {
				return nil, errors.New("idptest browser: " + msg)
			}
			return nil, errors.New("idptest browser: page has no form")
		case "signin":
			if msg := pageError(page); msg != "" && first == "" {
				return nil, errors.New("idptest browser: " + msg)
			}
			first = ""
			fields = credentials(username, password)
		case "other":
			// the account picker: sign in as the user named
		}
		next, resp, err := b.submit(ctx, page, action, fields)
		if err != nil || resp != nil {
			return resp, err
		}
		page = next
	}
	return nil, errors.New("idptest browser: too many pages")
}

// credentials fills a sign-in form: Entra's (login, passwd) or, for a
// federated user, AD FS's (UserName, Password).
func credentials(username, password string) url.Values {
	return url.Values{"login": {username}, "passwd": {password}, "UserName": {username}, "Password": {password}}
}

// The page patterns are compiled on first use: the idptest package is
// linked into acctui, and every acctui run would compile them at start.
var (
	formActionRe = lazyRegexp(`<form id="idp-form" method="post" action="([^"]*)"`)
	hiddenRe     = lazyRegexp(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	buttonRe     = lazyRegexp(`name="action" value="([^"]+)"`)
	errorRe      = lazyRegexp(`<p class="err" id="error">([^<]*)</p>`)
)

func lazyRegexp(pattern string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(pattern) })
}

// nextAction picks the button a person signing in would press.
func nextAction(page string) string {
	var actions []string
	for _, m := range buttonRe().FindAllStringSubmatch(page, -1) {
		actions = append(actions, html.UnescapeString(m[1]))
	}
	for _, preferred := range []string{"signin", "mfa", "consent", "confirm", "next", "other"} {
		for _, a := range actions {
			if a == preferred {
				return a
			}
		}
	}
	return ""
}

func pageError(page string) string {
	if m := errorRe().FindStringSubmatch(page); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

func (b *Browser) submit(ctx context.Context, page, action string, fields url.Values) (string, *AuthResponse, error) {
	return b.submitTo(ctx, page, action, fields)
}

func (b *Browser) submitTo(ctx context.Context, page, action string, fields url.Values) (string, *AuthResponse, error) {
	m := formActionRe().FindStringSubmatch(page)
	if m == nil {
		return "", nil, errors.New("idptest browser: no form on the page")
	}
	form := url.Values{}
	for _, h := range hiddenRe().FindAllStringSubmatch(page, -1) {
		form.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	for k, vs := range fields {
		form[k] = vs
	}
	form.Set("action", action)
	target, err := b.resolve(html.UnescapeString(m[1]))
	if err != nil {
		return "", nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		return "", nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

func (b *Browser) get(ctx context.Context, target string) (string, *AuthResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return "", nil, err
	}
	b.lastBase = req.URL
	return b.do(req)
}

// do sends a request; a redirect leaving the provider, or an
// auto-submitting form, is the authorization response.
func (b *Browser) do(req *http.Request) (string, *AuthResponse, error) {
	resp, err := b.client.Do(req)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", nil, err
	}
	if resp.StatusCode == http.StatusFound || resp.StatusCode == http.StatusSeeOther {
		loc, err := resp.Location()
		if err != nil {
			return "", nil, err
		}
		if loc.Host == req.URL.Host {
			// Within the identity provider (Entra to AD FS): follow.
			next, err := http.NewRequestWithContext(req.Context(), http.MethodGet, loc.String(), nil)
			if err != nil {
				return "", nil, err
			}
			b.lastBase = next.URL
			return b.do(next)
		}
		params := loc.Query()
		loc.RawQuery = ""
		return "", &AuthResponse{RedirectURI: loc.String(), Params: params}, nil
	}
	page := string(body)
	if strings.Contains(page, `document.getElementById("idp-form").submit()`) {
		m := formActionRe().FindStringSubmatch(page)
		params := url.Values{}
		for _, h := range hiddenRe().FindAllStringSubmatch(page, -1) {
			params.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
		}
		target, err := req.URL.Parse(html.UnescapeString(m[1]))
		if err != nil {
			return "", nil, err
		}
		if target.Host == req.URL.Host {
			// AD FS posting its token back to Entra: submit, as the
			// page's script would.
			next, err := http.NewRequestWithContext(req.Context(), http.MethodPost, target.String(), strings.NewReader(params.Encode()))
			if err != nil {
				return "", nil, err
			}
			next.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			b.lastBase = next.URL
			return b.do(next)
		}
		return "", &AuthResponse{RedirectURI: html.UnescapeString(m[1]), Params: params, FormPost: true}, nil
	}
	if resp.StatusCode != http.StatusOK {
		if msg := pageError(page); msg != "" {
			return page, nil, fmt.Errorf("idptest browser: HTTP %d: %s", resp.StatusCode, msg)
		}
		return page, nil, fmt.Errorf("idptest browser: HTTP %d", resp.StatusCode)
	}
	return page, nil, nil
}

func (b *Browser) resolve(ref string) (string, error) {
	u, err := url.Parse(ref)
	if err != nil {
		return "", err
	}
	if b.lastBase == nil {
		return "", errors.New("idptest browser: no page loaded")
	}
	return b.lastBase.ResolveReference(u).String(), nil
}
