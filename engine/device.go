package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const (
	// deviceCodeGrant is the device flow's grant_type.
	deviceCodeGrant       = "urn:ietf:params:oauth:grant-type:device_code"
	defaultDeviceInterval = 5 * time.Second
	slowDownStep          = 5 * time.Second
	// maxDeviceInterval bounds a polling interval the server asks for: a
	// larger one would leave the user waiting long after signing in.
	maxDeviceInterval = time.Minute
	// maxDeviceCodeLifetime bounds how long a device code is polled for;
	// Entra's live 15 minutes.
	maxDeviceCodeLifetime = time.Hour
)

// mentionsOtherAddress reports whether the server's message names an
// address other than the checked verification URI: such a message is
// replaced by the engine's own, so it cannot send the user elsewhere.
func mentionsOtherAddress(message, verificationURI string) bool {
	for _, word := range strings.Fields(message) {
		if strings.Contains(word, "://") {
			word = strings.TrimLeft(strings.TrimRight(word, ".,;:!?)>\"'"), "(<\"'")
			if word != verificationURI {
				return true
			}
		}
	}
	return false
}

// checkVerificationURI refuses a device-code verification address that a
// user should not be sent to: anything but https, except http on a loopback
// host (a local emulator). The user types a code there, so a plain-http or
// javascript: address is a phishing aid, never shown or put in a QR code.
func checkVerificationURI(raw string) error {
	u, err := url.Parse(raw)
	if err == nil && u.Host != "" && u.User == nil {
		switch strings.ToLower(u.Scheme) {
		case "https":
			return nil
		case "http":
			if isLoopbackHost(strings.ToLower(u.Hostname())) {
				return nil
			}
		}
	}
	return errors.New("engine: the device code answer's verification address is not an https URL; refusing to show it")
}

// DeviceCode is a device-code sign-in in progress: show Message (or
// UserCode and VerificationURI) to the user, then call
// AcquireTokenByDeviceFlow. The device code itself is kept private.
type DeviceCode struct {
	UserCode        string
	VerificationURI string
	Message         string
	ExpiresOn       time.Time
	Interval        time.Duration

	deviceCode    Secret
	scopes        []string
	authority     Authority
	claims        string
	correlationID string
	expectedHome  string
	expectedUser  string
}

// String shows what the user needs, never the device code.
func (d DeviceCode) String() string {
	return fmt.Sprintf("engine.DeviceCode{UserCode: %s, VerificationURI: %s, ExpiresOn: %s}", d.UserCode, d.VerificationURI, d.ExpiresOn.UTC().Format(time.RFC3339))
}

// GoString is String, for %#v.
func (d DeviceCode) GoString() string { return d.String() }

// Format is String for every verb.
func (d DeviceCode) Format(f fmt.State, _ rune) { fmt.Fprint(f, d.String()) }

// LogValue is String, for log/slog.
func (d DeviceCode) LogValue() slog.Value { return slog.StringValue(d.String()) }

// InitiateDeviceFlow asks the identity provider for a device code.
func (c *Client) InitiateDeviceFlow(ctx context.Context, scopes []string, opts ...Option) (DeviceCode, error) {
	if err := checkScopes(scopes); err != nil {
		return DeviceCode{}, err
	}
	o, err := collectFor("InitiateDeviceFlow", deviceFlowOptions, opts)
	if err != nil {
		return DeviceCode{}, err
	}
	a, err := c.callAuthority(o)
	if err != nil {
		return DeviceCode{}, err
	}
	meta, err := c.endpoints(ctx, a)
	if err != nil {
		return DeviceCode{}, err
	}
	if meta.DeviceCodeEndpoint == "" {
		return DeviceCode{}, missingEndpointError(a, "device_authorization_endpoint", "device-code")
	}
	form := url.Values{"client_id": {c.cfg.ClientID}, "scope": {decorate(scopes)}}
	claims, err := mergeClaims(o.claims, c.capabilities(a))
	if err != nil {
		return DeviceCode{}, err
	}
	if claims != "" {
		form.Set("claims", claims)
	}
	correlationID := o.correlationID
	if correlationID == "" {
		correlationID = newCorrelationID()
	}
	resp, err := c.send(ctx, request{method: http.MethodPost, url: meta.DeviceCodeEndpoint, form: form, correlationID: correlationID})
	if err != nil {
		return DeviceCode{}, err
	}
	if resp.status != http.StatusOK {
		if e := parseErrorBody(resp); e != nil {
			e.Provider = genericProvider(a)
			return DeviceCode{}, e
		}
		return DeviceCode{}, fmt.Errorf("engine: device code request to %s: HTTP %d", a, resp.status)
	}
	var body struct {
		UserCode        string      `json:"user_code"`
		DeviceCode      Secret      `json:"device_code"`
		VerificationURI string      `json:"verification_uri"`
		VerificationURL string      `json:"verification_url"` // the v1 endpoint's name
		ExpiresIn       flexSeconds `json:"expires_in"`
		Interval        flexSeconds `json:"interval"`
		Message         string      `json:"message"`
	}
	if err := decodeJSON(resp, &body); err != nil {
		return DeviceCode{}, fmt.Errorf("engine: device code request: %w", err)
	}
	if body.VerificationURI == "" {
		body.VerificationURI = body.VerificationURL
	}
	if body.UserCode == "" || body.DeviceCode.IsZero() || body.VerificationURI == "" {
		return DeviceCode{}, errors.New("engine: the device code answer lacks user_code, device_code or verification_uri")
	}
	if err := checkVerificationURI(body.VerificationURI); err != nil {
		return DeviceCode{}, err
	}
	expiresIn := body.ExpiresIn.duration()
	if expiresIn <= 0 {
		expiresIn = 15 * time.Minute
	}
	if expiresIn > maxDeviceCodeLifetime {
		expiresIn = maxDeviceCodeLifetime
	}
	interval := body.Interval.duration()
	if interval <= 0 {
		interval = defaultDeviceInterval
	}
	if interval > maxDeviceInterval {
		interval = maxDeviceInterval
	}
	message := body.Message
	if message == "" || mentionsOtherAddress(message, body.VerificationURI) {
		message = fmt.Sprintf("To sign in, open %s and enter the code %s.", body.VerificationURI, body.UserCode)
	}
	return DeviceCode{
		UserCode: body.UserCode, VerificationURI: body.VerificationURI, Message: strings.TrimSpace(message),
		ExpiresOn: c.now().Add(expiresIn), Interval: interval, deviceCode: body.DeviceCode,
		scopes: scopes, authority: a, claims: o.claims, correlationID: correlationID, expectedHome: o.expectedHome, expectedUser: o.expectedUsername,
	}, nil
}

// AcquireTokenByDeviceFlow polls until the user signs in, honouring the
// interval and adding 5 s on slow_down. It stops with ErrDeviceCodeExpired,
// ErrDeclined (wrapped in *Error when the server said so) or ctx's error.
func (c *Client) AcquireTokenByDeviceFlow(ctx context.Context, dc DeviceCode) (Result, error) {
	if dc.deviceCode.IsZero() {
		return Result{}, errors.New("engine: not a device code from InitiateDeviceFlow")
	}
	interval := dc.Interval
	for {
		if !c.now().Before(dc.ExpiresOn) {
			return Result{}, ErrDeviceCodeExpired
		}
		call := grantCall{
			authority: dc.authority, scopes: dc.scopes, grantType: "urn:ietf:params:oauth:grant-type:device_code",
			form: url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
				"device_code": {dc.deviceCode.Reveal()}, "scope": {decorate(dc.scopes)}},
		}
		result, err := c.redeem(ctx, call, callOptions{claims: dc.claims, correlationID: dc.correlationID, expectedHome: dc.expectedHome, expectedUsername: dc.expectedUser})
		if err == nil {
			return result, nil
		}
		var e *Error
		if !errors.As(err, &e) {
			return Result{}, err
		}
		switch e.Code {
		case "authorization_pending":
		case "slow_down":
			interval += slowDownStep
		default:
			return Result{}, err // expired_token and access_denied match the sentinels through errors.Is
		}
		if err := c.sleep(ctx, interval); err != nil {
			return Result{}, err
		}
	}
}

// sleep waits d or until ctx ends.
func (c *Client) sleep(ctx context.Context, d time.Duration) error {
	if c.sleepHook != nil {
		return c.sleepHook(ctx, d)
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
