package cache

import (
	"slices"
	"strings"
)

// ScopeSet is a normalised list of OAuth scopes: split on whitespace,
// deduplicated case-insensitively (the first spelling wins) and sorted by
// code point, the order MSAL Python's sorted() gives. Its String form is the
// canonical "target" of an access or refresh token entry.
type ScopeSet []string

// NewScopeSet normalises scopes. Each argument may itself hold several
// space-separated scopes, as a "target" or a response's "scope" does.
func NewScopeSet(scopes ...string) ScopeSet {
	var out ScopeSet
	seen := make(map[string]struct{})
	for _, s := range scopes {
		for rest := s; ; {
			var scope string
			scope, rest = nextScope(rest)
			if scope == "" {
				break
			}
			folded := strings.ToLower(scope)
			if _, dup := seen[folded]; dup {
				continue
			}
			seen[folded] = struct{}{}
			out = append(out, scope)
		}
	}
	slices.Sort(out)
	return out
}

// String returns the scopes joined by single spaces: the canonical target.
func (s ScopeSet) String() string { return strings.Join(s, " ") }

// ContainsAll reports whether every scope in want is in s, comparing
// case-insensitively because Entra treats scope names that way.
func (s ScopeSet) ContainsAll(want ...string) bool {
	return targetContainsAll(s.String(), want)
}

// NormalizeTarget returns the canonical target string for a scope string.
func NormalizeTarget(target string) string { return NewScopeSet(target).String() }

// targetContainsAll reports whether every scope in want occurs in target. It
// walks both strings in place so a cache lookup allocates nothing.
func targetContainsAll(target string, want []string) bool {
	for _, w := range want {
		for rest := w; ; {
			var scope string
			scope, rest = nextScope(rest)
			if scope == "" {
				break
			}
			if !targetHas(target, scope) {
				return false
			}
		}
	}
	return true
}

func targetHas(target, scope string) bool {
	for rest := target; ; {
		var have string
		have, rest = nextScope(rest)
		if have == "" {
			return false
		}
		if strings.EqualFold(have, scope) {
			return true
		}
	}
}

// nextScope returns the first whitespace-separated word of s and the rest.
// ASCII whitespace is enough: scopes are URIs or plain words.
func nextScope(s string) (scope, rest string) {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	j := i
	for j < len(s) && !isSpace(s[j]) {
		j++
	}
	return s[i:j], s[j:]
}

func isSpace(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f'
}
