package vault_test

import (
	"context"
	"slices"
	"testing"

	"acctui/engine/cache"
	"acctui/vault"
)

// TestReadMetadataResolving: one transaction gives the metadata value Read
// of the shared record gives and what ResolveAccount gives, for a
// person's name, an unknown name and a home account id; it opens the file
// once where the two calls open it twice, and hands over only the
// metadata asked for.
func TestReadMetadataResolving(t *testing.T) {
	ctx := context.Background()
	v := open(t, fileOptions(t))
	fill(t, v, 0, 3, 20)
	const mark, other = "acctui.test_mark", "acctui.other_mark"
	if err := v.Write(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
		if err := c.SetMetadata(other, []byte(`"not asked for"`), 0); err != nil {
			return err
		}
		return c.SetMetadata(mark, []byte(`{"x":1}`), 0)
	}); err != nil {
		t.Fatal(err)
	}

	sharedMark := func(c *cache.Cache) string {
		raw, _ := c.Metadata(mark, 0)
		return string(raw)
	}
	for _, name := range []string{username(1), "USER0002@contoso.example", homeID(0), "nobody@contoso.example"} {
		t.Run(name, func(t *testing.T) {
			var wantMark string
			if err := v.Read(ctx, cache.Hint{Shared: true}, func(c *cache.Cache) error {
				wantMark = sharedMark(c)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			want, err := v.ResolveAccount(ctx, name)
			if err != nil {
				t.Fatal(err)
			}

			before := v.FileOpens()
			var gotMark string
			res, err := v.ReadMetadataResolving(ctx, name, []string{mark}, func(c *cache.Cache) error {
				gotMark = sharedMark(c)
				if n := len(c.Accounts()); n != 0 {
					t.Errorf("the metadata came with %d accounts", n)
				}
				if raw, ok := c.Metadata(other, 0); ok {
					t.Errorf("metadata not asked for came too: %s", raw)
				}
				return nil
			})
			if err != nil || res.Err != nil {
				t.Fatalf("ReadMetadataResolving: %v, %v", err, res.Err)
			}
			if opens := v.FileOpens() - before; opens != 1 {
				t.Errorf("opened the file %d times, want 1", opens)
			}
			if gotMark != wantMark || gotMark == "" {
				t.Errorf("shared metadata %q, Read gives %q", gotMark, wantMark)
			}
			if !slices.EqualFunc(res.Summaries, want, func(a, b vault.AccountSummary) bool {
				return a.HomeAccountID == b.HomeAccountID && slices.Equal(a.Usernames, b.Usernames)
			}) {
				t.Errorf("summaries %+v, ResolveAccount gives %+v", res.Summaries, want)
			}
			if name != "nobody@contoso.example" && len(res.Summaries) != 1 {
				t.Errorf("%s resolved to %d accounts", name, len(res.Summaries))
			}
		})
	}
}

// TestReadMetadataResolvingNoVault: with no vault yet, there is no
// metadata and no name resolves.
func TestReadMetadataResolvingNoVault(t *testing.T) {
	v := open(t, fileOptions(t))
	called := false
	res, err := v.ReadMetadataResolving(context.Background(), username(0), []string{"acctui.test_mark"}, func(c *cache.Cache) error {
		called = true
		return nil
	})
	if err != nil || res.Err != nil || len(res.Summaries) != 0 || !called {
		t.Fatalf("res %+v, err %v, fn called %v", res, err, called)
	}
}
