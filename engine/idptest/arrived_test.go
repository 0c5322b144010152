package idptest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestArrivedBeforeAnswered: a request the server is still holding (a
// delayed answer) is in Arrived, and in the admin endpoint's list, but not
// yet in Requests; once the client gives up it is in both.
func TestArrivedBeforeAnswered(t *testing.T) {
	srv := startTLS(t)
	if err := srv.InjectFault(Fault{Endpoint: EndpointToken, Kind: FaultDelay, DelayMillis: 60_000}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		form := passwordForm(cli, "alice@contoso.example", "demo-alice", graphScope)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL()+"/organizations/oauth2/v2.0/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if resp, err := srv.Client().Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	arrivedOverAdmin := func() []RequestRecord {
		resp, err := srv.Client().Get(srv.URL() + "/_admin/requests/arrived")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var recs []RequestRecord
		raw, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(raw, &recs); err != nil {
			t.Fatalf("%v: %s", err, raw)
		}
		return recs
	}
	// Bounded: the request arrives within milliseconds; the deadline only
	// keeps a broken server from hanging the test.
	deadline := time.Now().Add(10 * time.Second)
	for len(arrivedOverAdmin()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the token request never arrived")
		}
		time.Sleep(5 * time.Millisecond)
	}
	got := srv.Arrived()
	if len(got) != 1 || got[0].Endpoint != EndpointToken || got[0].Fault != FaultDelay || got[0].GrantType != "password" || got[0].Status != 0 {
		t.Errorf("arrived %+v, want the one delayed password request", got)
	}
	if n := srv.CountRequests(EndpointToken, ""); n != 0 {
		t.Errorf("the held request is already in the answered log (%d)", n)
	}
	cancel()
	<-done
	// The handler returns when the client goes; its log entry follows.
	for srv.CountRequests(EndpointToken, "") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the cancelled request was never logged as answered")
		}
		time.Sleep(5 * time.Millisecond)
	}
	srv.ResetRequests()
	if n := len(srv.Arrived()); n != 0 {
		t.Errorf("ResetRequests left %d arrivals", n)
	}
}
