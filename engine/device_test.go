package engine

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestDeviceVerificationAddressMustBeHTTPS: the address a user is sent to
// type a code must be https (http only on a loopback emulator); any other
// is refused before the caller can show it or draw it as a QR code.
func TestDeviceVerificationAddressMustBeHTTPS(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(body map[string]any)
		ok    bool
		check func(t *testing.T, dc DeviceCode)
	}{
		{"emulator's own", func(map[string]any) {}, true, nil},
		{"https elsewhere", func(b map[string]any) { b["verification_uri"] = "https://microsoft.com/devicelogin" }, true, nil},
		{"http on loopback", func(b map[string]any) { b["verification_uri"] = "http://127.0.0.1:9/devicelogin" }, true, nil},
		{"v1 name verification_url", func(b map[string]any) {
			b["verification_url"] = b["verification_uri"]
			delete(b, "verification_uri")
		}, true, nil},
		{"plain http", func(b map[string]any) { b["verification_uri"] = "http://evil.example/devicelogin" }, false, nil},
		{"plain http under the v1 name", func(b map[string]any) {
			delete(b, "verification_uri")
			b["verification_url"] = "http://evil.example/devicelogin"
		}, false, nil},
		{"javascript", func(b map[string]any) { b["verification_uri"] = "javascript:alert(1)" }, false, nil},
		{"no host", func(b map[string]any) { b["verification_uri"] = "https:///devicelogin" }, false, nil},
		{"credentials in the URL", func(b map[string]any) { b["verification_uri"] = "https://microsoft.com@evil.example/x" }, false, nil},
		{"message naming another address", func(b map[string]any) {
			b["message"] = "To sign in, open http://evil.example/login and enter the code."
		}, true, func(t *testing.T, dc DeviceCode) {
			if strings.Contains(dc.Message, "evil") || !strings.Contains(dc.Message, dc.VerificationURI) || !strings.Contains(dc.Message, dc.UserCode) {
				t.Errorf("message %q", dc.Message)
			}
		}},
		{"absurd lifetimes", func(b map[string]any) { b["expires_in"] = 1e30; b["interval"] = "99999999999" }, true, func(t *testing.T, dc DeviceCode) {
			if dc.Interval != maxDeviceInterval || dc.ExpiresOn.After(time.Now().Add(maxDeviceCodeLifetime+time.Hour*24*365)) {
				t.Errorf("interval %v expires %v", dc.Interval, dc.ExpiresOn)
			}
		}},
		{"negative lifetimes", func(b map[string]any) { b["expires_in"] = -1; b["interval"] = -5 }, true, func(t *testing.T, dc DeviceCode) {
			if dc.Interval != defaultDeviceInterval {
				t.Errorf("interval %v", dc.Interval)
			}
		}},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			e, proxy := newProxiedEnv(t)
			proxy.endpoint = "/oauth2/v2.0/devicecode"
			proxy.set(nil, tt.edit)
			dc, err := e.client.InitiateDeviceFlow(context.Background(), graph)
			if !tt.ok {
				if err == nil || !strings.Contains(err.Error(), "not an https URL") || dc.VerificationURI != "" || dc.Message != "" {
					t.Fatalf("accepted: %v %v", dc, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if left := dc.ExpiresOn.Sub(e.clock.Now()); left <= 0 || left > maxDeviceCodeLifetime {
				t.Errorf("device code lives %v", left)
			}
			if tt.check != nil {
				tt.check(t, dc)
			}
		})
	}
}
