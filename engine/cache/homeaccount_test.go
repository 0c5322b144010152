package cache

import "testing"

func TestSplitHomeAccountID(t *testing.T) {
	for _, tc := range []struct {
		id, uid, utid string
		ok            bool
	}{
		{"0a1b.7c6e2a3b-4f1d", "0a1b", "7c6e2a3b-4f1d", true},
		{"oid-b2c_1_susi.tenant", "oid-b2c_1_susi", "tenant", true},
		{"a.b.tenant", "a.b", "tenant", true},
		{"no-dot", "", "", false},
		{".tenant", "", "", false},
		{"uid.", "", "", false},
		{"", "", "", false},
	} {
		uid, utid, ok := SplitHomeAccountID(tc.id)
		if uid != tc.uid || utid != tc.utid || ok != tc.ok {
			t.Errorf("SplitHomeAccountID(%q) = %q, %q, %v; want %q, %q, %v", tc.id, uid, utid, ok, tc.uid, tc.utid, tc.ok)
		}
		if got := HomeTenant(tc.id); got != tc.utid {
			t.Errorf("HomeTenant(%q) = %q, want %q", tc.id, got, tc.utid)
		}
	}
}
