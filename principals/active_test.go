package principals_test

import (
	"context"
	"errors"
	"testing"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/principals"
)

// TestActive: the mark names only a principal in the list, survives a
// new login of the same identity, and goes with its principal.
func TestActive(t *testing.T) {
	ctx := context.Background()
	store := engine.NewMemoryStore(nil)
	app := principals.Principal{Kind: principals.KindServicePrincipal, ClientID: "11111111-aaaa-4aaa-8aaa-111111111111", Tenant: "contoso", Credential: "secret", Secret: "s1"}
	identity := principals.Principal{Kind: principals.KindManagedIdentity}

	if err := principals.SetActive(ctx, store, app); !errors.Is(err, principals.ErrUnknown) {
		t.Fatalf("marking a principal not in the vault: %v", err)
	}
	for _, p := range []principals.Principal{app, identity} {
		if err := principals.Save(ctx, store, p, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := principals.SetActive(ctx, store, principals.Principal{Kind: app.Kind, ClientID: "11111111-AAAA-4aaa-8aaa-111111111111", Tenant: "Contoso"}); err != nil {
		t.Fatal(err)
	}
	active := func() (principals.Principal, bool) {
		t.Helper()
		p, ok, err := principals.Active(ctx, store)
		if err != nil {
			t.Fatal(err)
		}
		return p, ok
	}
	if p, ok := active(); !ok || !p.Same(app) || p.Secret != "s1" {
		t.Fatalf("active: %v %v", p, ok)
	}
	// a new login of the same app replaces its credential, not the mark
	renewed := app
	renewed.Secret = "s2"
	if err := principals.Save(ctx, store, renewed, nil); err != nil {
		t.Fatal(err)
	}
	if p, ok := active(); !ok || p.Secret != "s2" {
		t.Fatalf("after a new login: %v %v", p, ok)
	}
	// removing another principal keeps the mark; removing it drops it
	if err := principals.Remove(ctx, store, identity); err != nil {
		t.Fatal(err)
	}
	if _, ok := active(); !ok {
		t.Fatal("removing another principal dropped the mark")
	}
	if err := principals.Remove(ctx, store, app); err != nil {
		t.Fatal(err)
	}
	if _, ok := active(); ok {
		t.Fatal("the removed principal is still active")
	}
	if _, ok := store.Snapshot().Metadata(principals.ActiveKey, 0); ok {
		t.Fatal("the mark outlived its principal")
	}
}

// TestActiveDamaged: a damaged mark is an error, not a silent choice.
func TestActiveDamaged(t *testing.T) {
	c := cache.New()
	if err := c.SetMetadata(principals.ActiveKey, []byte(`{"id": 5}`), 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := principals.ActiveOf(c); err == nil {
		t.Fatal("a damaged mark read as none")
	}
}

// TestClearActive forgets the mark.
func TestClearActive(t *testing.T) {
	ctx := context.Background()
	store := engine.NewMemoryStore(nil)
	mi := principals.Principal{Kind: principals.KindManagedIdentity, ClientID: "22222222-bbbb-4bbb-8bbb-222222222222"}
	if err := principals.Save(ctx, store, mi, nil); err != nil {
		t.Fatal(err)
	}
	if err := principals.SetActive(ctx, store, mi); err != nil {
		t.Fatal(err)
	}
	if err := principals.ClearActive(ctx, store); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := principals.Active(ctx, store); ok || err != nil {
		t.Fatalf("after ClearActive: %v %v", ok, err)
	}
}
