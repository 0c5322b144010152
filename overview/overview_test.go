package overview

import (
	"context"
	"testing"
	"time"

	"acctui/engine"
	"acctui/engine/idptest"
)

func TestBuildFromRealSignIns(t *testing.T) {
	srv := idptest.Start(t, idptest.Options{TLS: true})
	store := engine.NewMemoryStore(nil)
	client, err := engine.New(engine.Config{ClientID: idptest.AzureCLIClientID, Authority: srv.Authority("organizations"),
		HTTPClient: srv.Client(), Cache: store, Now: srv.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range [][2]string{{"carol@contoso.example", "demo-carol"}, {"alice@contoso.example", "demo-alice"}} {
		if _, err := client.AcquireTokenByUsernamePassword(context.Background(), []string{"https://graph.microsoft.com/.default"}, u[0], engine.Secret(u[1])); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		after             time.Duration
		alice, carol      Status
		carolAccessStatus Status
	}{
		{0, StatusValid, StatusValid, StatusValid},
		{6 * time.Minute, StatusValid, StatusRefreshable, StatusExpiring},
		{11 * time.Minute, StatusValid, StatusRefreshable, StatusExpired},
		{2 * time.Hour, StatusRefreshable, StatusRefreshable, StatusExpired},
	}
	for _, tt := range tests {
		accounts := Build(store.Snapshot(), srv.Now().Add(tt.after))
		if len(accounts) != 2 || accounts[0].Username != "alice@contoso.example" {
			t.Fatalf("accounts %+v", accounts)
		}
		alice, carol := accounts[0], accounts[1]
		if alice.Status != tt.alice || carol.Status != tt.carol {
			t.Errorf("after %s: alice %s carol %s", tt.after, alice.Status, carol.Status)
		}
		if carol.Tokens[0].Kind != KindAccess || carol.Tokens[0].Status != tt.carolAccessStatus {
			t.Errorf("after %s: carol's access token %+v", tt.after, carol.Tokens[0])
		}
		if alice.Name != "Alice Example" || alice.TenantID != idptest.ContosoTenantID || len(alice.Tokens) != 3 {
			t.Errorf("alice %+v", alice)
		}
	}
}
