package cache

import (
	"slices"
	"testing"
)

func TestNewScopeSet(t *testing.T) {
	tests := []struct {
		in   []string
		want ScopeSet
	}{
		{nil, nil},
		{[]string{""}, nil},
		{[]string{"b a"}, ScopeSet{"a", "b"}},
		{[]string{"  User.Read\topenid ", "profile user.read"}, ScopeSet{"User.Read", "openid", "profile"}},
		{[]string{armUser, armDefault}, ScopeSet{armDefault, armUser}},
		{[]string{"X", "x", "Y"}, ScopeSet{"X", "Y"}},
	}
	for _, tt := range tests {
		if got := NewScopeSet(tt.in...); !slices.Equal(got, tt.want) {
			t.Errorf("NewScopeSet(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := NormalizeTarget("openid  profile offline_access"); got != "offline_access openid profile" {
		t.Errorf("NormalizeTarget = %q", got)
	}
}

func TestContainsAll(t *testing.T) {
	set := NewScopeSet("User.Read openid profile")
	tests := []struct {
		want []string
		ok   bool
	}{
		{nil, true},
		{[]string{"user.read"}, true},
		{[]string{"OPENID", "profile"}, true},
		{[]string{"openid profile"}, true},
		{[]string{"email"}, false},
		{[]string{"user"}, false},
	}
	for _, tt := range tests {
		if got := set.ContainsAll(tt.want...); got != tt.ok {
			t.Errorf("ContainsAll(%q) = %v, want %v", tt.want, got, tt.ok)
		}
	}
}
