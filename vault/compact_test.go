package vault_test

import (
	"context"
	"os"
	"testing"

	"acctui/engine/cache"
)

// TestRemovalCompacts: removing most of a large vault leaves free pages
// past the threshold, and the write that freed them compacts the file:
// it shrinks, Status reports little free space, and what is left reads.
func TestRemovalCompacts(t *testing.T) {
	ctx := context.Background()
	opts := fileOptions(t)
	v := open(t, opts)
	fill(t, v, 0, 40, 40<<10)
	big, err := os.Stat(v.Path())
	if err != nil {
		t.Fatal(err)
	}
	err = v.Update(ctx, func(c *cache.Cache) error {
		for i := 1; i < 40; i++ {
			c.RemoveAccountData(homeID(i), nil, testClientID, "1")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	small, err := os.Stat(v.Path())
	if err != nil {
		t.Fatal(err)
	}
	if small.Size()*4 > big.Size() {
		t.Errorf("the file went from %d to %d bytes: not compacted", big.Size(), small.Size())
	}
	st, err := v.Status(ctx)
	if err != nil || st.Accounts != 1 || st.Free*2 > st.Size {
		t.Errorf("Status after compaction = %+v, %v", st, err)
	}
	if got := usernames(t, open(t, opts)); len(got) != 1 || got[0] != username(0) {
		t.Errorf("accounts after compaction: %v", got)
	}
}
