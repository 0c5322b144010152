package idptest

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func listenLoopback(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func startDeviceFlow(t *testing.T, srv *Server) map[string]any {
	t.Helper()
	status, body := call(t, srv, http.MethodPost, "/organizations/oauth2/v2.0/devicecode", url.Values{"client_id": {cli}, "scope": {graphScope}})
	if status != 200 {
		t.Fatalf("devicecode: HTTP %d %v", status, body)
	}
	return body
}

func pollForm(dc map[string]any) url.Values {
	return url.Values{"grant_type": {grantDeviceCode}, "client_id": {cli}, "device_code": {dc["device_code"].(string)}, "client_info": {"1"}}
}

func TestDeviceCodeFlow(t *testing.T) {
	srv := startTLS(t)
	dc := startDeviceFlow(t, srv)
	if dc["verification_uri"] != srv.URL()+"/devicelogin" || dc["interval"] != float64(1) || dc["expires_in"] != float64(900) {
		t.Errorf("devicecode answer %v", dc)
	}
	if _, ok := dc["verification_uri_complete"]; ok {
		t.Error("Entra sends no verification_uri_complete")
	}
	if msg := dc["message"].(string); !strings.Contains(msg, dc["user_code"].(string)) || !strings.Contains(msg, "/devicelogin") {
		t.Errorf("message %q", msg)
	}

	status, body := postToken(t, srv, "organizations", pollForm(dc))
	wantError(t, status, body, 400, "authorization_pending", 70016)
	status, body = postToken(t, srv, "organizations", pollForm(dc))
	wantError(t, status, body, 400, "slow_down", 70016)

	srv.Advance(2 * time.Second)
	if err := NewBrowser(srv.Client()).DeviceSignIn(context.Background(), dc["verification_uri"].(string), dc["user_code"].(string), "alice@contoso.example", "demo-alice", true); err != nil {
		t.Fatal(err)
	}
	status, body = postToken(t, srv, "organizations", pollForm(dc))
	if status != 200 || body["refresh_token"] == nil || body["client_info"] == nil {
		t.Fatalf("after approval: HTTP %d %v", status, body)
	}
	srv.Advance(2 * time.Second)
	status, body = postToken(t, srv, "organizations", pollForm(dc))
	wantError(t, status, body, 400, "invalid_grant", 70000)
}

func TestDeviceCodeEndings(t *testing.T) {
	srv := startTLS(t)
	t.Run("declined on the page", func(t *testing.T) {
		dc := startDeviceFlow(t, srv)
		if err := NewBrowser(srv.Client()).DeviceSignIn(context.Background(), dc["verification_uri"].(string), dc["user_code"].(string), "alice@contoso.example", "demo-alice", false); err != nil {
			t.Fatal(err)
		}
		status, body := postToken(t, srv, "organizations", pollForm(dc))
		wantError(t, status, body, 400, "access_denied", 70000)
	})
	t.Run("declined through the admin API", func(t *testing.T) {
		dc := startDeviceFlow(t, srv)
		if err := srv.DeclineDeviceCode(dc["user_code"].(string)); err != nil {
			t.Fatal(err)
		}
		status, body := postToken(t, srv, "organizations", pollForm(dc))
		wantError(t, status, body, 400, "access_denied", 70000)
	})
	t.Run("approved through the admin API", func(t *testing.T) {
		dc := startDeviceFlow(t, srv)
		if err := srv.ApproveDeviceCode(dc["user_code"].(string), "bob@contoso.example"); err != nil {
			t.Fatal(err)
		}
		status, body := postToken(t, srv, "organizations", pollForm(dc))
		if status != 200 {
			t.Fatalf("HTTP %d %v", status, body)
		}
		if idt := verifiedClaims(t, srv, body["id_token"].(string)); idt["preferred_username"] != "bob@contoso.example" {
			t.Errorf("id token %v", idt)
		}
	})
	t.Run("expired", func(t *testing.T) {
		dc := startDeviceFlow(t, srv)
		srv.Advance(16 * time.Minute)
		status, body := postToken(t, srv, "organizations", pollForm(dc))
		wantError(t, status, body, 400, "expired_token", 70020)
	})
	t.Run("wrong code on the page", func(t *testing.T) {
		err := NewBrowser(srv.Client()).DeviceSignIn(context.Background(), srv.URL()+"/devicelogin", "NOTACODE1", "alice@contoso.example", "demo-alice", true)
		if err == nil || !strings.Contains(err.Error(), "didn't work") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("confidential app refused", func(t *testing.T) {
		status, body := call(t, srv, http.MethodPost, "/organizations/oauth2/v2.0/devicecode", url.Values{"client_id": {ConfidentialClientID}, "scope": {graphScope}})
		wantError(t, status, body, 400, "unauthorized_client", 700025)
	})
}
