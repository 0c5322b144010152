package cache

import (
	"iter"
	"maps"
	"slices"
	"strings"
)

// The index files every indexed entry under its lower-cased
// (home_account_id, environment) pair and, inside that bucket, under the id a
// query names (client_id, family_id or realm). A lookup therefore touches one
// bucket per environment alias and only the few entries of that account,
// however many accounts the cache holds. Lower-casing makes lookups
// tolerant of the mixed-case values v1.0 caches contain.

// keySet is a set of canonical keys.
type keySet map[string]struct{}

// keyGroups maps an id to the keys filed under it.
type keyGroups map[string]keySet

// set files key under id (add) or takes it out, dropping empty groups so
// an emptied bucket can be released.
func (g *keyGroups) set(id, key string, add bool) {
	if !add {
		if s := (*g)[id]; s != nil {
			delete(s, key)
			if len(s) == 0 {
				delete(*g, id)
			}
		}
		return
	}
	if *g == nil {
		*g = make(keyGroups)
	}
	s := (*g)[id]
	if s == nil {
		s = make(keySet)
		(*g)[id] = s
	}
	s[key] = struct{}{}
}

// keys yields the keys under id, or under every id when any is true. The
// order is unspecified; callers sort or pick deterministically.
func (g keyGroups) keys(id string, any bool) iter.Seq[string] {
	return func(yield func(string) bool) {
		if !any {
			for key := range g[id] {
				if !yield(key) {
					return
				}
			}
			return
		}
		for _, s := range g {
			for key := range s {
				if !yield(key) {
					return
				}
			}
		}
	}
}

// bucket holds the keys of one account in one environment.
type bucket struct {
	accessTokens    keyGroups // by lower-cased client_id
	refreshByClient keyGroups // by lower-cased client_id
	refreshByFamily keyGroups // by family_id
	idTokens        keyGroups // by lower-cased client_id
	accounts        keyGroups // by lower-cased realm
}

func (b *bucket) empty() bool {
	return len(b.accessTokens) == 0 && len(b.refreshByClient) == 0 &&
		len(b.refreshByFamily) == 0 && len(b.idTokens) == 0 && len(b.accounts) == 0
}

// index is the lookup structure of a Cache. It holds keys only; entries
// live in the Cache's tables.
type index struct {
	homes       map[string]map[string]*bucket // home → environment → bucket
	appMetadata map[string]keyGroups          // client_id → environment → keys
}

func newIndex() index {
	return index{
		homes:       make(map[string]map[string]*bucket),
		appMetadata: make(map[string]keyGroups),
	}
}

// inBucket runs update on the bucket of (home, env), creating it when
// adding and releasing it when a removal leaves it empty.
func (ix *index) inBucket(home, env string, add bool, update func(*bucket)) {
	home, env = strings.ToLower(home), strings.ToLower(env)
	byEnv := ix.homes[home]
	if byEnv == nil {
		if !add {
			return
		}
		byEnv = make(map[string]*bucket)
		ix.homes[home] = byEnv
	}
	b := byEnv[env]
	if b == nil {
		if !add {
			return
		}
		b = &bucket{}
		byEnv[env] = b
	}
	update(b)
	if !add && b.empty() {
		delete(byEnv, env)
		if len(byEnv) == 0 {
			delete(ix.homes, home)
		}
	}
}

// buckets yields the buckets of home in the given environments, in the
// order given, skipping repeated aliases. No environments means all of the
// account's environments, in sorted order.
func (ix *index) buckets(home string, envs []string) iter.Seq[*bucket] {
	return func(yield func(*bucket) bool) {
		byEnv := ix.homes[strings.ToLower(home)]
		if byEnv == nil {
			return
		}
		if len(envs) == 0 {
			for _, env := range slices.Sorted(maps.Keys(byEnv)) {
				if !yield(byEnv[env]) {
					return
				}
			}
			return
		}
		for i, env := range envs {
			if repeated(envs[:i], env) {
				continue
			}
			if b := byEnv[strings.ToLower(env)]; b != nil && !yield(b) {
				return
			}
		}
	}
}

// repeated reports whether env occurs in earlier, ignoring case. Alias lists
// are a handful long, so a scan beats allocating a set.
func repeated(earlier []string, env string) bool {
	for _, e := range earlier {
		if strings.EqualFold(e, env) {
			return true
		}
	}
	return false
}

// index files (add) or unfiles the entry's key; each kind knows which ids
// its lookups go by.
func (at *AccessToken) index(ix *index, key string, add bool) {
	ix.inBucket(at.HomeAccountID, at.Environment, add, func(b *bucket) {
		b.accessTokens.set(strings.ToLower(at.ClientID), key, add)
	})
}

func (rt *RefreshToken) index(ix *index, key string, add bool) {
	ix.inBucket(rt.HomeAccountID, rt.Environment, add, func(b *bucket) {
		b.refreshByClient.set(strings.ToLower(rt.ClientID), key, add)
		if rt.FamilyID != "" {
			b.refreshByFamily.set(rt.FamilyID, key, add)
		}
	})
}

func (it *IDToken) index(ix *index, key string, add bool) {
	ix.inBucket(it.HomeAccountID, it.Environment, add, func(b *bucket) {
		b.idTokens.set(strings.ToLower(it.ClientID), key, add)
	})
}

func (a *Account) index(ix *index, key string, add bool) {
	ix.inBucket(a.HomeAccountID, a.Environment, add, func(b *bucket) {
		b.accounts.set(strings.ToLower(a.Realm), key, add)
	})
}

func (m *AppMetadata) index(ix *index, key string, add bool) {
	client := strings.ToLower(m.ClientID)
	byEnv := ix.appMetadata[client]
	byEnv.set(strings.ToLower(m.Environment), key, add)
	if len(byEnv) == 0 {
		delete(ix.appMetadata, client)
	} else {
		ix.appMetadata[client] = byEnv
	}
}
