package engine

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"acctui/engine/idptest"
)

// TestTokenResponseMembersAreReadOneByOne decodes hand-built answers in the
// shapes Entra and proxies send: a member of an unexpected type is dropped,
// the rest kept.
func TestTokenResponseMembersAreReadOneByOne(t *testing.T) {
	var tr tokenResponse
	body := `{"token_type":"Bearer","scope":"a b","expires_in":"3599","ext_expires_in":3599.0,"refresh_in":{"x":1},
		"access_token":"at","refresh_token":"rt","id_token":null,"client_info":"eyJ1aWQiOiJ1IiwidXRpZCI6InQifQ","foci":1,
		"error_codes":[50126,"50127","x"],"error_additional_info":"client_mismatch","suberror":7}`
	if err := json.Unmarshal([]byte(body), &tr); err != nil {
		t.Fatal(err)
	}
	if tr.AccessToken != "at" || tr.RefreshToken != "rt" || !tr.IDToken.IsZero() || tr.Foci != "1" || tr.Scope != "a b" {
		t.Errorf("tokens %+v", tr)
	}
	if tr.ExpiresIn.duration() != 3599*time.Second || tr.ExtExpiresIn.duration() != 3599*time.Second || tr.RefreshIn != 0 {
		t.Errorf("lifetimes %v %v %v", tr.ExpiresIn.duration(), tr.ExtExpiresIn.duration(), tr.RefreshIn.duration())
	}
	if !reflect.DeepEqual(tr.ErrorCodes, []int{50126, 50127}) || !reflect.DeepEqual(tr.ErrorAdditionalInfo, []string{"client_mismatch"}) || tr.SubError != "7" {
		t.Errorf("error members %+v", tr.errorFields)
	}
	errorShapes := map[string]*Error{
		`{"error":"invalid_grant","error_additional_info":"client_mismatch","error_codes":"70000"}`:                    {Code: "invalid_grant", AdditionalInfo: []string{"client_mismatch"}, ErrorCodes: []int{70000}},
		`{"error":"invalid_grant","error_additional_info":["client_mismatch"],"error_codes":[70000]}`:                  {Code: "invalid_grant", AdditionalInfo: []string{"client_mismatch"}, ErrorCodes: []int{70000}},
		`{"error":"invalid_grant","error_codes":[{"code":1}],"error_description":"AADSTS70000: x","correlation_id":5}`: {Code: "invalid_grant", Description: "AADSTS70000: x", CorrelationID: "5"},
		`{"error":"interaction_required","suberror":"basic_action","claims":null,"error_codes":["AADSTS50076"]}`:       {Code: "interaction_required", SubError: "basic_action", ErrorCodes: []int{50076}},
	}
	for body, want := range errorShapes {
		got := parseErrorBody(&response{status: 400, body: []byte(body)})
		want.HTTPStatus = 400
		if got == nil || !reflect.DeepEqual(*got, *want) {
			t.Errorf("%s\n got %+v\nwant %+v", body, got, want)
		}
	}
	for _, body := range []string{`[]`, `"x"`, `null`, `<html>`} {
		if err := json.Unmarshal([]byte(body), &tr); err == nil {
			t.Errorf("%s decoded as a token response", body)
		}
	}
}

// TestOddlyTypedMembersOverTheWire: the emulator's real answers with members
// retyped by a proxy still sign in, and keep what they say.
func TestOddlyTypedMembersOverTheWire(t *testing.T) {
	e, proxy := newProxiedEnv(t)
	proxy.set(nil, func(body map[string]any) {
		body["foci"] = 1
		body["expires_in"] = "1234"
		body["ext_expires_in"] = "not a number"
		body["refresh_in"] = []any{1}
		body["scope"] = body["scope"].(string)
	})
	got := e.signIn(t, alice, "demo-alice")
	if d := got.ExpiresOn.Sub(e.clock.Now()); d <= 1232*time.Second || d > 1234*time.Second {
		t.Errorf("expires in %v", d)
	}
	if got.ExtExpiresOn != got.ExpiresOn || !got.RefreshOn.IsZero() {
		t.Errorf("ext %v refresh_on %v", got.ExtExpiresOn, got.RefreshOn)
	}
	snap := e.store.Snapshot()
	rts := snap.FindRefreshTokens(rtOf(got.Account))
	if len(rts) != 1 || rts[0].FamilyID != "1" {
		t.Errorf("family id from a numeric foci: %+v", rts)
	}
	if meta, ok := snap.FindAppMetadata(cliID, []string{got.Account.Environment}); !ok || meta.FamilyID != "1" {
		t.Errorf("app metadata %+v", meta)
	}
}

// TestFamilyFallbackStopsOnClientMismatchInEveryShape: an app outside the
// family tries the account's family refresh tokens (two here: the CLI's
// and PowerShell's) and stops at the first client_mismatch, whether Entra
// says it in suberror, in error_additional_info as a list, or as a string.
func TestFamilyFallbackStopsOnClientMismatchInEveryShape(t *testing.T) {
	const outsiderID = "a0a0a0a0-0000-4000-8000-000000000001"
	shapes := map[string]func(map[string]any){
		"as sent":                     func(map[string]any) {},
		"suberror only":               func(b map[string]any) { delete(b, "error_additional_info") },
		"additional info as a string": func(b map[string]any) { delete(b, "suberror"); b["error_additional_info"] = "client_mismatch" },
		"additional info as a list":   func(b map[string]any) { delete(b, "suberror"); b["error_additional_info"] = []any{"client_mismatch"} },
	}
	for name, shape := range shapes {
		t.Run(name, func(t *testing.T) {
			dir := idptest.DefaultDirectory()
			dir.Apps = append(dir.Apps, &idptest.App{ClientID: outsiderID, Name: "Outsider", Public: true})
			srv := idptest.Start(t, idptest.Options{TLS: true, Directory: dir})
			store := NewMemoryStore(nil)
			first := newEnvFor(t, srv, store).signIn(t, alice, "demo-alice")
			newEnvFor(t, srv, store, func(c *Config) { c.ClientID = powershellID }).signIn(t, alice, "demo-alice")
			if n := len(store.Snapshot().FindRefreshTokens(rtOf(first.Account))); n != 2 {
				t.Fatalf("%d family refresh tokens, want 2", n)
			}
			proxy := &rewritingProxy{next: srv.Client().Transport}
			proxy.set(nil, func(body map[string]any) {
				if body["error"] != nil {
					shape(body)
				}
			})
			outsider := newEnvFor(t, srv, store, func(c *Config) { c.ClientID = outsiderID; c.HTTPClient = &http.Client{Transport: proxy} })
			srv.ResetRequests()
			_, err := outsider.client.AcquireTokenSilent(context.Background(), graph, first.Account)
			var ie *Error
			if !errors.As(err, &ie) || ie.Code != "invalid_grant" {
				t.Fatalf("err = %v", err)
			}
			if n := srv.CountRequests(idptest.EndpointToken, ""); n != 1 {
				t.Errorf("%d refresh attempts; the family search stops at client_mismatch", n)
			}
		})
	}
}

// TestTokenAnswerThatIsNotAnObject: a 200 whose body is JSON but not an
// object is one clear error and stores nothing.
func TestTokenAnswerThatIsNotAnObject(t *testing.T) {
	for _, body := range []string{`[]`, `"token"`, `null`, `{"access_token":`} {
		e, proxy := newProxiedEnv(t)
		proxy.setRaw(func([]byte) []byte { return []byte(body) })
		_, err := e.client.AcquireTokenByUsernamePassword(context.Background(), graph, alice, "demo-alice")
		if err == nil || !strings.Contains(err.Error(), "malformed JSON") {
			t.Errorf("%s: %v", body, err)
		}
		if c := e.store.Snapshot().Counts(); c.AccessTokens+c.RefreshTokens+c.Accounts != 0 {
			t.Errorf("%s: stored %+v", body, c)
		}
	}
}
