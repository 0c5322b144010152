package idptest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFaults(t *testing.T) {
	srv := startTLS(t)
	form := passwordForm(cli, "alice@contoso.example", "demo-alice", graphScope)
	send := func(t *testing.T, timeout time.Duration) (*http.Response, []byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL()+"/organizations/oauth2/v2.0/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := srv.Client().Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp, body, err
	}
	tests := []struct {
		name  string
		fault Fault
		check func(t *testing.T, resp *http.Response, body []byte, err error)
	}{
		{"503 with Retry-After", Fault{Kind: FaultStatus, Status: 503, RetryAfterSeconds: 7}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != 503 || resp.Header.Get("Retry-After") != "7" || !strings.Contains(string(body), "temporarily_unavailable") {
				t.Errorf("got %v %v %s", resp, err, body)
			}
		}},
		{"429", Fault{Kind: FaultStatus, Status: 429, RetryAfterSeconds: 30}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "30" {
				t.Errorf("got %v %v", resp, err)
			}
		}},
		{"500", Fault{Kind: FaultStatus}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != 500 || !strings.Contains(string(body), "server_error") {
				t.Errorf("got %v %v", resp, err)
			}
		}},
		{"malformed JSON", Fault{Kind: FaultMalformedJSON}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != 200 || json.Valid(body) {
				t.Errorf("got %v %v %s", resp, err, body)
			}
		}},
		{"HTML error page", Fault{Kind: FaultHTML}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != 502 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Errorf("got %v %v", resp, err)
			}
		}},
		{"dropped connection", Fault{Kind: FaultDrop}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err == nil {
				t.Errorf("want a transport error, got HTTP %d", resp.StatusCode)
			}
		}},
		{"truncated body", Fault{Kind: FaultTruncated}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("want an unexpected EOF, got %v", err)
			}
		}},
		{"oversize body", Fault{Kind: FaultOversize, Size: 2 << 20}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || len(body) < 2<<20 {
				t.Errorf("got %d bytes, %v", len(body), err)
			}
		}},
		{"slow answer past the deadline", Fault{Kind: FaultDelay, DelayMillis: 2000}, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("want a deadline error, got %v", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fault.Endpoint = EndpointToken
			if err := srv.InjectFault(tt.fault); err != nil {
				t.Fatal(err)
			}
			// Only the delay is about the deadline; the others get
			// time enough for a loaded machine to read 2 MiB.
			timeout := 10 * time.Second
			if tt.fault.Kind == FaultDelay {
				timeout = 300 * time.Millisecond
			}
			resp, body, err := send(t, timeout)
			tt.check(t, resp, body, err)
			// the fault is used up: the next request is served normally
			if resp, _, err := send(t, 5*time.Second); err != nil || resp.StatusCode != 200 {
				t.Fatalf("after the fault: %v %v", resp, err)
			}
		})
	}
	t.Run("count and other endpoints", func(t *testing.T) {
		if err := srv.InjectFault(Fault{Endpoint: EndpointToken, Kind: FaultStatus, Status: 503, Count: 2}); err != nil {
			t.Fatal(err)
		}
		status, _ := call(t, srv, http.MethodGet, "/organizations/v2.0/.well-known/openid-configuration", nil)
		if status != 200 {
			t.Errorf("discovery hit a token fault: %d", status)
		}
		for i, want := range []int{503, 503, 200} {
			if resp, _, err := send(t, 5*time.Second); err != nil || resp.StatusCode != want {
				t.Errorf("request %d: %v %v, want %d", i, resp, err, want)
			}
		}
	})
	t.Run("bad faults are refused", func(t *testing.T) {
		if srv.InjectFault(Fault{Kind: "melt"}) == nil || srv.InjectFault(Fault{Kind: FaultDrop, Endpoint: "nowhere"}) == nil {
			t.Error("want errors")
		}
	})
}

func TestRequestLog(t *testing.T) {
	srv := startTLS(t)
	postToken(t, srv, "organizations", passwordForm(cli, "alice@contoso.example", "demo-alice", graphScope))
	postToken(t, srv, "organizations", passwordForm(cli, "alice@contoso.example", "wrong", graphScope))
	call(t, srv, http.MethodGet, "/organizations/v2.0/.well-known/openid-configuration", nil)
	log := srv.Requests()
	if len(log) != 3 {
		t.Fatalf("log %+v", log)
	}
	if log[0].Endpoint != EndpointToken || log[0].GrantType != "password" || log[0].Status != 200 || log[0].ClientID != cli || log[0].Method != "POST" {
		t.Errorf("first record %+v", log[0])
	}
	if log[1].Status != 400 || log[2].Endpoint != EndpointOpenIDConfiguration {
		t.Errorf("records %+v", log[1:])
	}
	if srv.CountRequests(EndpointToken, "password") != 2 || srv.CountRequests(EndpointToken, "refresh_token") != 0 {
		t.Error("CountRequests")
	}
	srv.ResetRequests()
	if len(srv.Requests()) != 0 {
		t.Error("ResetRequests")
	}
}

// TestAdminAPI drives every control endpoint over HTTP, as the tests of the
// built binary do.
func TestAdminAPI(t *testing.T) {
	srv := startTLS(t)
	admin := func(method, path string, body any) (int, json.RawMessage) {
		t.Helper()
		var reader io.Reader
		if body != nil {
			raw, _ := json.Marshal(body)
			reader = strings.NewReader(string(raw))
		}
		req, _ := http.NewRequest(method, srv.URL()+path, reader)
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, raw
	}
	_, first := postToken(t, srv, "organizations", passwordForm(cli, "alice@contoso.example", "demo-alice", graphScope))
	rt := first["refresh_token"].(string)

	if status, _ := admin("POST", "/_admin/lifetime", map[string]any{"username": "alice@contoso.example", "access_token_seconds": 120}); status != 200 {
		t.Fatal("lifetime")
	}
	if _, body := postToken(t, srv, "organizations", refreshForm(cli, rt, graphScope)); body["expires_in"] != float64(120) {
		t.Errorf("lifetime not applied: %v", body["expires_in"])
	}

	status, raw := admin("POST", "/_admin/claims-challenge", map[string]any{"username": "alice@contoso.example"})
	var challenge map[string]string
	json.Unmarshal(raw, &challenge)
	if status != 200 || !strings.Contains(challenge["claims"], "capolids") {
		t.Fatalf("claims-challenge: %d %s", status, raw)
	}
	status, body := postToken(t, srv, "organizations", refreshForm(cli, rt, graphScope))
	wantError(t, status, body, 400, "interaction_required", 50076)
	form := refreshForm(cli, rt, graphScope)
	form.Set("claims", challenge["claims"])
	postToken(t, srv, "organizations", form)

	dc := startDeviceFlow(t, srv)
	if status, raw := admin("POST", "/_admin/device", map[string]any{"user_code": dc["user_code"], "username": "carol@contoso.example", "approve": true}); status != 200 {
		t.Fatalf("device: %s", raw)
	}
	if status, _ := postToken(t, srv, "organizations", pollForm(dc)); status != 200 {
		t.Errorf("approved device code: HTTP %d", status)
	}
	if status, raw := admin("POST", "/_admin/device", map[string]any{"user_code": "NOPE", "approve": true}); status != 400 || !strings.Contains(string(raw), "no device code") {
		t.Errorf("unknown code: %d %s", status, raw)
	}

	before := srv.Now()
	status, raw = admin("POST", "/_admin/clock", map[string]any{"advance_seconds": 3600})
	if status != 200 || srv.Now().Sub(before) < time.Hour {
		t.Errorf("clock: %d %s", status, raw)
	}

	if status, _ := admin("POST", "/_admin/revoke", map[string]any{"username": "alice@contoso.example"}); status != 200 {
		t.Fatal("revoke")
	}
	status, body = postToken(t, srv, "organizations", refreshForm(cli, rt, graphScope))
	wantError(t, status, body, 400, "invalid_grant", 50173)

	if status, _ := admin("POST", "/_admin/faults", Fault{Endpoint: EndpointToken, Kind: FaultStatus, Status: 500}); status != 200 {
		t.Fatal("faults")
	}
	admin("DELETE", "/_admin/faults", nil)
	if status, _ := postToken(t, srv, "organizations", passwordForm(cli, "alice@contoso.example", "demo-alice", graphScope)); status != 200 {
		t.Error("DELETE /_admin/faults did not clear")
	}
	if status, raw := admin("POST", "/_admin/faults", map[string]any{"kind": "melt"}); status != 400 {
		t.Errorf("bad fault accepted: %s", raw)
	}

	status, raw = admin("GET", "/_admin/requests", nil)
	var log []RequestRecord
	if err := json.Unmarshal(raw, &log); status != 200 || err != nil || len(log) == 0 {
		t.Fatalf("requests: %d %v", status, err)
	}
	for _, rec := range log {
		if strings.HasPrefix(rec.Path, "/_admin") {
			t.Errorf("admin calls are not logged: %+v", rec)
		}
	}
	admin("DELETE", "/_admin/requests", nil)
	if len(srv.Requests()) != 0 {
		t.Error("DELETE /_admin/requests")
	}
	if status, _ := admin("POST", "/_admin/revoke", map[string]any{"username": "nobody@x"}); status != 400 {
		t.Error("unknown user accepted")
	}
	_ = url.Values{}
}

func TestIssuedSecrets(t *testing.T) {
	srv := startTLS(t)
	_, body := postToken(t, srv, "organizations", passwordForm(cli, "alice@contoso.example", "demo-alice", graphScope))
	dc := startDeviceFlow(t, srv)
	issued := map[string]bool{}
	for _, s := range srv.IssuedSecrets() {
		issued[s] = true
	}
	for _, want := range []any{body["access_token"], body["refresh_token"], body["id_token"], dc["device_code"]} {
		if !issued[want.(string)] {
			t.Errorf("%.20s… is not listed", want)
		}
	}
}
