package tests

// Cache interop between the engine and Microsoft's MSAL Python 1.21: both
// sign in against ONE in-process emulator (engine/idptest) and share ONE
// token cache file, so the emulator's request log shows what each side sent.
// The engine writes what MSAL Python serves silently and refreshes, MSAL
// Python writes what the engine serves silently and refreshes, and the file
// both have updated holds no duplicate entries and only MSAL Python's keys.
//
// The MSAL side is msalpy/cache_interop.py; it prints digests, never tokens.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/engine/idptest"
)

const (
	aliceUsername = "alice@contoso.example"
	davePassword  = "demo-dave"
	daveUsername  = "dave@fabrikam.example"
	// emulatorEnvironment is the cache environment both sides record for
	// the emulator: its host without the port.
	emulatorEnvironment = "127.0.0.1"
)

// fileStore is an engine.CacheStore on a plain JSON file, as test
// scaffolding: every call loads the file, and Write saves it back when fn
// changed something. MSAL Python reads and writes the same file between
// engine calls.
type fileStore struct {
	mu   sync.Mutex
	path string
}

var _ engine.CacheStore = (*fileStore)(nil)

func (s *fileStore) load() (*cache.Cache, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return cache.New(), nil
	}
	if err != nil {
		return nil, err
	}
	return cache.Parse(data)
}

func (s *fileStore) Read(_ context.Context, _ engine.CacheHint, fn func(*cache.Cache) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.load()
	if err != nil {
		return err
	}
	return fn(c)
}

func (s *fileStore) Write(_ context.Context, _ engine.CacheHint, fn func(*cache.Cache) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, err := s.load()
	if err != nil {
		return err
	}
	if err := fn(c); err != nil {
		return err
	}
	if !c.HasStateChanged() {
		return nil
	}
	data, err := c.Marshal()
	if err != nil {
		return err
	}
	return writeFileAtomic(s.path, data)
}

func writeFileAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// interopResult is what cache_interop.py prints: scenarios.py's summary
// plus the steps' own fields. Accounts, at the outer level, takes
// "msal_accounts" over the embedded MSALAccounts, adding realm and
// authority_type.
type interopResult struct {
	msalResult
	Saved      bool                  `json:"saved"`
	Loaded     map[string]int        `json:"loaded"`
	Serialized map[string]int        `json:"serialized"`
	Reloaded   map[string]int        `json:"reloaded"`
	Silent     map[string]msalResult `json:"silent"`
	Accounts   []struct {
		HomeAccountID string `json:"home_account_id"`
		Environment   string `json:"environment"`
		Realm         string `json:"realm"`
		Username      string `json:"username"`
		AuthorityType string `json:"authority_type"`
	} `json:"msal_accounts"`
}

// msalPy runs cache_interop.py against the in-process emulator.
type msalPy struct {
	srv       *idptest.Server
	caFile    string
	cacheFile string
}

func (p msalPy) run(t *testing.T, authority string, step ...string) interopResult {
	t.Helper()
	script, err := filepath.Abs(filepath.Join("msalpy", "cache_interop.py"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := append([]string{script, "--url", p.srv.URL(), "--ca-file", p.caFile, "--authority", authority,
		"--cache", p.cacheFile, "--scope", armScope}, step...)
	cmd := exec.CommandContext(ctx, systemPython, args...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1")
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("cache_interop.py %s: %v\nstderr:\n%s", strings.Join(step, " "), err, stderr.String())
	}
	var res interopResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("cache_interop.py %s printed no JSON: %v: %q\nstderr:\n%s", step[0], err, out, stderr.String())
	}
	return res
}

// requestCounter reports the token requests logged since it was made.
type requestCounter struct {
	srv             *idptest.Server
	tokens, refresh int
}

func countFrom(srv *idptest.Server) requestCounter {
	return requestCounter{srv: srv,
		tokens:  srv.CountRequests(idptest.EndpointToken, ""),
		refresh: srv.CountRequests(idptest.EndpointToken, "refresh_token")}
}

// since returns the token requests and refresh_token grants sent since c.
func (c requestCounter) since() (tokens, refresh int) {
	return c.srv.CountRequests(idptest.EndpointToken, "") - c.tokens,
		c.srv.CountRequests(idptest.EndpointToken, "refresh_token") - c.refresh
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// The five sections of the unified cache, as MSAL Python names them.
var msalSections = []string{cache.SectionAccessToken, cache.SectionRefreshToken, cache.SectionIDToken, cache.SectionAccount, cache.SectionAppMetadata}

// rawCache is the cache file as JSON, entries as generic objects: the
// file as it is, before cache.Parse re-keys (and so collapses) anything.
type rawCache map[string]map[string]map[string]any

func readRawCache(t *testing.T, path string) rawCache {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatalf("%s is not a JSON object: %v", path, err)
	}
	raw := rawCache{}
	for _, s := range msalSections {
		section := map[string]map[string]any{}
		if m, ok := top[s]; ok {
			if err := json.Unmarshal(m, &section); err != nil {
				t.Fatalf("%s: section %s: %v", path, s, err)
			}
		}
		raw[s] = section
	}
	return raw
}

func (r rawCache) counts() map[string]int {
	out := map[string]int{}
	for _, s := range msalSections {
		out[s] = len(r[s])
	}
	return out
}

func str(e map[string]any, field string) string {
	s, _ := e[field].(string)
	return s
}

// entries returns a section's entries whose fields equal want.
func (r rawCache) entries(section string, want map[string]string) []map[string]any {
	var out []map[string]any
	keys := make([]string, 0, len(r[section]))
	for k := range r[section] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		e := r[section][k]
		match := true
		for f, v := range want {
			if str(e, f) != v {
				match = false
			}
		}
		if match {
			out = append(out, e)
		}
	}
	return out
}

// secretDigest is the digest of the one entry matching want; it fails the
// test when there is not exactly one.
func (r rawCache) secretDigest(t *testing.T, section string, want map[string]string) string {
	t.Helper()
	got := r.entries(section, want)
	if len(got) != 1 {
		t.Fatalf("%s entries matching %v: %d, want 1", section, want, len(got))
	}
	return sha256Hex(str(got[0], "secret"))
}

// msalPythonKey is the key MSAL Python 1.21's TokenCache.key_makers compute
// for an entry; it finds, updates and deletes entries under that key only.
func msalPythonKey(section string, e map[string]any) string {
	switch section {
	case cache.SectionAccessToken:
		return strings.ToLower(strings.Join([]string{str(e, "home_account_id"), str(e, "environment"), "AccessToken", str(e, "client_id"), str(e, "realm"), str(e, "target")}, "-"))
	case cache.SectionRefreshToken:
		return strings.ToLower(strings.Join([]string{str(e, "home_account_id"), str(e, "environment"), "RefreshToken", str(e, "client_id"), "", str(e, "target")}, "-"))
	case cache.SectionIDToken:
		return strings.ToLower(strings.Join([]string{str(e, "home_account_id"), str(e, "environment"), "IdToken", str(e, "client_id"), str(e, "realm"), ""}, "-"))
	case cache.SectionAccount:
		return strings.ToLower(strings.Join([]string{str(e, "home_account_id"), str(e, "environment"), str(e, "realm")}, "-"))
	case cache.SectionAppMetadata:
		return fmt.Sprintf("appmetadata-%s-%s", str(e, "environment"), str(e, "client_id"))
	}
	return ""
}

// checkNoDuplicates asserts that the file has at most one entry per
// identity of each section, every entry under MSAL Python's key, with the
// members MSAL Python's code paths read.
func checkNoDuplicates(t *testing.T, path string, r rawCache) {
	t.Helper()
	identities := map[string][]string{
		cache.SectionAccessToken:  {"home_account_id", "environment", "client_id", "realm", "target"},
		cache.SectionAccount:      {"home_account_id", "environment", "realm"},
		cache.SectionIDToken:      {"home_account_id", "environment", "client_id", "realm"},
		cache.SectionRefreshToken: {"home_account_id", "environment", "client_id", "target"},
		cache.SectionAppMetadata:  {"environment", "client_id"},
	}
	credentialType := map[string]string{
		cache.SectionAccessToken:  "AccessToken",
		cache.SectionRefreshToken: "RefreshToken",
		cache.SectionIDToken:      "IdToken",
	}
	for _, section := range msalSections {
		seen := map[string]string{}
		for key, e := range r[section] {
			var id []string
			for _, f := range identities[section] {
				id = append(id, strings.ToLower(str(e, f)))
			}
			ident := strings.Join(id, "|")
			if other, dup := seen[ident]; dup {
				t.Errorf("%s: duplicate %s entries for (%s) = (%s): keys %q and %q",
					path, section, strings.Join(identities[section], ", "), ident, other, key)
			}
			seen[ident] = key
			if want := msalPythonKey(section, e); key != want {
				t.Errorf("%s: %s entry stored under %q; MSAL Python computes %q and would not find it", path, section, key, want)
			}
			if ct, ok := credentialType[section]; ok && str(e, "credential_type") != ct {
				t.Errorf("%s: %s entry %q has credential_type %q, want %q (MSAL Python asserts it)", path, section, key, str(e, "credential_type"), ct)
			}
			if section == cache.SectionAccount && str(e, "authority_type") == "" {
				t.Errorf("%s: Account %q has no authority_type; MSAL Python's get_accounts skips it", path, key)
			}
			for _, f := range []string{"cached_at", "expires_on", "extended_expires_on", "last_modification_time"} {
				if v, ok := e[f]; ok {
					s, isString := v.(string)
					if _, err := strconv.ParseInt(s, 10, 64); !isString || err != nil {
						t.Errorf("%s: %s entry %q: %s = %#v, want decimal epoch seconds as a string", path, section, key, f, v)
					}
				}
			}
		}
	}
	// Stricter than the key rule: each account of this test signed in once
	// with one set of scopes, so it must have exactly one refresh token,
	// however many times either side refreshed it (both update in place).
	perHome := map[string]int{}
	for _, e := range r[cache.SectionRefreshToken] {
		perHome[strings.ToLower(str(e, "home_account_id")+"|"+str(e, "environment")+"|"+str(e, "client_id"))]++
	}
	for home, n := range perHome {
		if n != 1 {
			t.Errorf("%s: %d refresh tokens for (home_account_id|environment|client_id) %s, want 1", path, n, home)
		}
	}
}

// expireAccessTokens rewrites expires_on (and extended_expires_on) of the
// home account's access tokens to a past time, leaving every other byte's
// meaning alone. MSAL Python judges expiry by the wall clock, not by the
// emulator's, so this is how a token is made stale for it.
func expireAccessTokens(t *testing.T, path, homeAccountID string, when time.Time) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	var ats map[string]map[string]json.RawMessage
	if err := json.Unmarshal(top[cache.SectionAccessToken], &ats); err != nil {
		t.Fatal(err)
	}
	past, _ := json.Marshal(strconv.FormatInt(when.Unix(), 10))
	n := 0
	for _, at := range ats {
		var home string
		if err := json.Unmarshal(at["home_account_id"], &home); err != nil || home != homeAccountID {
			continue
		}
		at["expires_on"] = past
		at["extended_expires_on"] = past
		n++
	}
	if top[cache.SectionAccessToken], err = json.Marshal(ats); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(top, "", "    ")
	if err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(path, out); err != nil {
		t.Fatal(err)
	}
	return n
}

func findEngineAccount(t *testing.T, accounts []engine.Account, username string) engine.Account {
	t.Helper()
	for _, a := range accounts {
		if strings.EqualFold(a.Username, username) {
			return a
		}
	}
	t.Fatalf("engine accounts %+v lack %s", accounts, username)
	return engine.Account{}
}

// interopScenario is one cache file shared by the engine and MSAL Python,
// with an emulator of its own. Its steps run in order and leave what the
// next one checks (alice's and dave's accounts, dave's refreshed token):
// each subtest makes its own scenario and runs the steps before its own,
// so it passes alone.
type interopScenario struct {
	srv                                *idptest.Server
	tmp, cacheFile                     string
	store                              *fileStore
	py                                 msalPy
	scopes                             []string
	contoso, fabrikam                  string
	aliceHome, daveHome, daveRefreshed string
}

func newInteropScenario(t *testing.T) *interopScenario {
	t.Helper()
	srv := idptest.Start(t, idptest.Options{TLS: true})
	tmp := t.TempDir()
	caFile := filepath.Join(tmp, "emulator-ca.pem")
	if err := os.WriteFile(caFile, srv.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	cacheFile := filepath.Join(tmp, "msal_token_cache.json")
	return &interopScenario{srv: srv, tmp: tmp, cacheFile: cacheFile, store: &fileStore{path: cacheFile},
		py: msalPy{srv: srv, caFile: caFile, cacheFile: cacheFile}, scopes: []string{armScope},
		contoso: srv.Authority("contoso"), fabrikam: srv.Authority("fabrikam")}
}

func (sc *interopScenario) newEngine(t *testing.T, authority string, now func() time.Time) *engine.Client {
	t.Helper()
	c, err := engine.New(engine.Config{ClientID: idptest.AzureCLIClientID, Authority: authority,
		HTTPClient: sc.srv.Client(), Cache: sc.store, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// engineWritesMSALReads: the engine signs alice in, MSAL Python serves and
// then refreshes her token from the file, and the engine serves MSAL's.
func (sc *interopScenario) engineWritesMSALReads(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	eng := sc.newEngine(t, sc.contoso, nil)
	res, err := eng.AcquireTokenByUsernamePassword(ctx, sc.scopes, aliceUsername, engine.Secret("demo-alice"))
	if err != nil {
		t.Fatalf("engine ROPC for alice: %v", err)
	}
	sc.aliceHome = res.Account.HomeAccountID
	if res.Source != engine.SourceIdentityProvider || sc.aliceHome == "" {
		t.Fatalf("engine ROPC: source %q, home_account_id %q", res.Source, sc.aliceHome)
	}
	engineAT := sha256Hex(res.AccessToken.Reveal())
	raw := readRawCache(t, sc.cacheFile)
	aliceAT := map[string]string{"home_account_id": sc.aliceHome, "environment": emulatorEnvironment, "realm": contosoTenantID}
	if got := raw.secretDigest(t, cache.SectionAccessToken, aliceAT); got != engineAT {
		t.Fatalf("the engine's access token is not the one in the file")
	}

	// MSAL Python serves the engine's access token from the file.
	before := countFrom(sc.srv)
	got := sc.py.run(t, sc.contoso, "silent", "--username", aliceUsername)
	if !got.OK {
		t.Fatalf("MSAL silent over the engine's cache: %s %v: %s", got.Error, got.ErrorCodes, got.ErrorDescription)
	}
	if got.HomeAccountID != sc.aliceHome {
		t.Errorf("MSAL get_accounts found alice as %q, the engine wrote %q", got.HomeAccountID, sc.aliceHome)
	}
	if len(got.Accounts) != 1 || got.Accounts[0].Environment != emulatorEnvironment ||
		got.Accounts[0].Realm != contosoTenantID || got.Accounts[0].Username != aliceUsername {
		t.Errorf("MSAL get_accounts() = %+v, want alice alone, environment %s, realm %s", got.Accounts, emulatorEnvironment, contosoTenantID)
	}
	if got.AccessTokenSHA256 != engineAT {
		t.Errorf("MSAL served another access token than the engine's (digest %.12s, want %.12s)", got.AccessTokenSHA256, engineAT)
	}
	if tokens, _ := before.since(); tokens != 0 {
		t.Errorf("MSAL sent %d token requests for a token the engine cached, want 0", tokens)
	}
	if got.Saved {
		t.Errorf("MSAL changed the cache while only reading it")
	}

	// Stale for MSAL: it refreshes with the engine's refresh token
	// and saves its cache back to the file.
	engineRT := raw.secretDigest(t, cache.SectionRefreshToken, map[string]string{"home_account_id": sc.aliceHome})
	if n := expireAccessTokens(t, sc.cacheFile, sc.aliceHome, time.Now().Add(-time.Hour)); n != 1 {
		t.Fatalf("expired %d access tokens of alice, want 1", n)
	}
	before = countFrom(sc.srv)
	got = sc.py.run(t, sc.contoso, "silent", "--username", aliceUsername)
	if !got.OK {
		t.Fatalf("MSAL refresh with the engine's refresh token: %s %v: %s", got.Error, got.ErrorCodes, got.ErrorDescription)
	}
	tokens, refresh := before.since()
	if tokens != 1 || refresh != 1 {
		t.Errorf("MSAL sent %d token requests (%d refresh_token grants), want exactly one refresh_token grant", tokens, refresh)
	}
	if got.AccessTokenSHA256 == "" || got.AccessTokenSHA256 == engineAT {
		t.Errorf("MSAL's refresh returned the expired access token (or none)")
	}
	if !got.Saved {
		t.Errorf("MSAL did not save its cache after the refresh")
	}
	raw = readRawCache(t, sc.cacheFile)
	// Entra answers with more sc.scopes than asked (ARM: user_impersonation
	// beside .default). MSAL Python 1.21 keeps the answer's order in the
	// target and so its key, the engine sorts as MSAL Python 1.31 does:
	// 1.21 writes its entry beside the engine's expired one instead of
	// over it. The live entry must be MSAL's.
	var live []map[string]any
	for _, e := range raw.entries(cache.SectionAccessToken, aliceAT) {
		if on, _ := strconv.ParseInt(str(e, "expires_on"), 10, 64); on > time.Now().Unix() {
			live = append(live, e)
		}
	}
	if len(live) != 1 {
		t.Fatalf("unexpired access tokens of alice after MSAL's refresh: %d, want 1", len(live))
	}
	msalAT := sha256Hex(str(live[0], "secret"))
	if msalAT != got.AccessTokenSHA256 {
		t.Errorf("the file's access token for alice is not the one MSAL's refresh returned")
	}
	if rt := raw.secretDigest(t, cache.SectionRefreshToken, map[string]string{"home_account_id": sc.aliceHome}); rt == engineRT {
		t.Errorf("MSAL did not store the rotated refresh token over the engine's")
	}

	// And the engine serves MSAL's refreshed token from the file.
	before = countFrom(sc.srv)
	back, err := eng.AcquireTokenSilent(ctx, sc.scopes, res.Account)
	if err != nil {
		t.Fatalf("engine silent after MSAL's refresh: %v", err)
	}
	if back.Source != engine.SourceCache || sha256Hex(back.AccessToken.Reveal()) != msalAT {
		t.Errorf("engine silent: source %q, MSAL's token %v; want MSAL's refreshed token from the cache", back.Source, sha256Hex(back.AccessToken.Reveal()) == msalAT)
	}
	if tokens, _ := before.since(); tokens != 0 {
		t.Errorf("engine sent %d token requests for a token MSAL cached, want 0", tokens)
	}
}

// msalWritesEngineReads: MSAL Python signs dave in beside alice, the
// engine serves and then refreshes his token.
func (sc *interopScenario) msalWritesEngineReads(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	before := countFrom(sc.srv)
	passwordsBefore := sc.srv.CountRequests(idptest.EndpointToken, "password")
	got := sc.py.run(t, sc.fabrikam, "ropc", "--username", daveUsername, "--password", davePassword)
	if !got.OK || !got.Saved {
		t.Fatalf("MSAL ROPC for dave: ok=%v saved=%v: %s %v: %s", got.OK, got.Saved, got.Error, got.ErrorCodes, got.ErrorDescription)
	}
	if tokens, _ := before.since(); tokens != 1 || sc.srv.CountRequests(idptest.EndpointToken, "password")-passwordsBefore != 1 {
		t.Errorf("MSAL ROPC sent %d token requests, want one password grant", tokens)
	}
	msalAT := got.AccessTokenSHA256
	sc.daveHome = got.IDTokenClaims["oid"] + "." + idptest.FabrikamTenantID

	eng := sc.newEngine(t, sc.fabrikam, nil)
	accounts, err := eng.Accounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(accounts) != 2 {
		t.Errorf("engine Accounts() = %+v, want alice (engine) and dave (MSAL)", accounts)
	}
	dave := findEngineAccount(t, accounts, daveUsername)
	if dave.HomeAccountID != sc.daveHome || dave.Environment != emulatorEnvironment {
		t.Errorf("engine sees dave as %+v, want home_account_id %s in %s", dave, sc.daveHome, emulatorEnvironment)
	}
	if alice := findEngineAccount(t, accounts, aliceUsername); alice.HomeAccountID != sc.aliceHome {
		t.Errorf("engine sees alice as %q after MSAL's writes, want %q", alice.HomeAccountID, sc.aliceHome)
	}

	before = countFrom(sc.srv)
	res, err := eng.AcquireTokenSilent(ctx, sc.scopes, dave)
	if err != nil {
		t.Fatalf("engine silent over MSAL's cache: %v", err)
	}
	if res.Source != engine.SourceCache || sha256Hex(res.AccessToken.Reveal()) != msalAT {
		t.Errorf("engine silent: source %q, MSAL's token %v; want MSAL's access token from the cache",
			res.Source, sha256Hex(res.AccessToken.Reveal()) == msalAT)
	}
	if tokens, _ := before.since(); tokens != 0 {
		t.Errorf("engine sent %d token requests for a token MSAL cached, want 0", tokens)
	}

	// Two hours on for both the engine and the emulator: the engine
	// refreshes with MSAL's refresh token.
	msalRT := readRawCache(t, sc.cacheFile).secretDigest(t, cache.SectionRefreshToken, map[string]string{"home_account_id": sc.daveHome})
	sc.srv.Advance(2 * time.Hour)
	later := sc.newEngine(t, sc.fabrikam, func() time.Time { return time.Now().Add(2 * time.Hour) })
	before = countFrom(sc.srv)
	res, err = later.AcquireTokenSilent(ctx, sc.scopes, dave)
	if err != nil {
		t.Fatalf("engine refresh with MSAL's refresh token: %v", err)
	}
	tokens, refresh := before.since()
	if tokens != 1 || refresh != 1 {
		t.Errorf("engine sent %d token requests (%d refresh_token grants), want exactly one refresh_token grant", tokens, refresh)
	}
	sc.daveRefreshed = sha256Hex(res.AccessToken.Reveal())
	if res.Source != engine.SourceIdentityProvider || sc.daveRefreshed == msalAT {
		t.Errorf("engine refresh: source %q, new token %v", res.Source, sc.daveRefreshed != msalAT)
	}
	raw := readRawCache(t, sc.cacheFile)
	daveAT := map[string]string{"home_account_id": sc.daveHome, "environment": emulatorEnvironment, "realm": idptest.FabrikamTenantID}
	if raw.secretDigest(t, cache.SectionAccessToken, daveAT) != sc.daveRefreshed {
		t.Errorf("the file's access token for dave is not the engine's refreshed one")
	}
	if raw.secretDigest(t, cache.SectionRefreshToken, map[string]string{"home_account_id": sc.daveHome}) == msalRT {
		t.Errorf("the engine did not store the rotated refresh token over MSAL's")
	}
}

// noDuplicates: after both, the file holds one entry of each kind per
// account, and MSAL Python re-serializes it unchanged.
func (sc *interopScenario) noDuplicates(t *testing.T) {
	t.Helper()
	raw := readRawCache(t, sc.cacheFile)
	checkNoDuplicates(t, sc.cacheFile, raw)
	want := map[string]int{cache.SectionRefreshToken: 2, cache.SectionIDToken: 2,
		cache.SectionAccount: 2, cache.SectionAppMetadata: 1}
	for s, n := range want {
		if raw.counts()[s] != n {
			t.Errorf("%s entries in the shared file: %d, want %d (one per account)", s, raw.counts()[s], n)
		}
	}
	// One live access token per account. MSAL Python 1.21 wrote alice's
	// refreshed token beside the engine's expired one (its target keeps
	// Entra's scope order, see EngineWritesMSALReads); that leftover is
	// 1.21's doing and may remain, expired.
	live, expired := 0, 0
	for _, e := range raw[cache.SectionAccessToken] {
		if on, _ := strconv.ParseInt(str(e, "expires_on"), 10, 64); on > time.Now().Unix() {
			live++
		} else {
			expired++
		}
	}
	if live != 2 || expired > 1 {
		t.Errorf("access tokens in the shared file: %d live, %d expired; want 2 live (one per account) and at most MSAL 1.21's one leftover", live, expired)
	}
	parsed, err := cache.Parse(mustRead(t, sc.cacheFile))
	if err != nil {
		t.Fatal(err)
	}
	if got := countsBySection(parsed.Counts()); !maps.Equal(got, raw.counts()) || parsed.Counts().Unindexed != 0 {
		t.Errorf("cache.Parse counts %v (unindexed %d), the file holds %v: Parse collapsed or set aside entries",
			got, parsed.Counts().Unindexed, raw.counts())
	}

	// MSAL Python re-reads and re-serializes the file, serving dave's
	// engine-refreshed token on the way.
	out := filepath.Join(sc.tmp, "msal-reserialized.json")
	before := countFrom(sc.srv)
	got := sc.py.run(t, sc.fabrikam, "roundtrip", "--out", out, "--silent-for", daveUsername)
	if !maps.Equal(got.Loaded, raw.counts()) || !maps.Equal(got.Serialized, raw.counts()) || !maps.Equal(got.Reloaded, raw.counts()) {
		t.Errorf("MSAL entry counts: loaded %v, serialized %v, reloaded %v; the file holds %v", got.Loaded, got.Serialized, got.Reloaded, raw.counts())
	}
	var names []string
	for _, a := range got.Accounts {
		names = append(names, a.Username+"="+a.HomeAccountID)
	}
	slices.Sort(names)
	if wantNames := []string{aliceUsername + "=" + sc.aliceHome, daveUsername + "=" + sc.daveHome}; !slices.Equal(names, wantNames) {
		t.Errorf("MSAL get_accounts() = %v, want %v", names, wantNames)
	}
	if d := got.Silent[daveUsername]; !d.OK || d.AccessTokenSHA256 != sc.daveRefreshed {
		t.Errorf("MSAL silent for dave: ok=%v, the engine's refreshed token=%v", d.OK, d.AccessTokenSHA256 == sc.daveRefreshed)
	}
	if tokens, _ := before.since(); tokens != 0 {
		t.Errorf("MSAL's round trip sent %d token requests, want 0", tokens)
	}
	reserialized := readRawCache(t, out)
	checkNoDuplicates(t, out, reserialized)
	if !maps.Equal(reserialized.counts(), raw.counts()) {
		t.Errorf("MSAL's re-serialized file holds %v, the original %v", reserialized.counts(), raw.counts())
	}
	// The engine's own section (discovery metadata) survives MSAL.
	var orig, rewritten map[string]json.RawMessage
	if json.Unmarshal(mustRead(t, sc.cacheFile), &orig) != nil || json.Unmarshal(mustRead(t, out), &rewritten) != nil {
		t.Fatal("cache files are not JSON objects")
	}
	if _, ok := orig[cache.SectionMetadata]; ok {
		var a, b any
		_ = json.Unmarshal(orig[cache.SectionMetadata], &a)
		_ = json.Unmarshal(rewritten[cache.SectionMetadata], &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("MSAL's re-serialization changed or dropped the %s section", cache.SectionMetadata)
		}
	}
	again, err := cache.Parse(mustRead(t, out))
	if err != nil {
		t.Fatal(err)
	}
	if again.Counts() != parsed.Counts() {
		t.Errorf("cache.Parse of MSAL's re-serialization: %+v, of the file: %+v", again.Counts(), parsed.Counts())
	}
}

func TestEngineMSALPythonCacheInterop(t *testing.T) {
	t.Parallel()
	requireMSALPython(t)
	t.Run("EngineWritesMSALReads", func(t *testing.T) {
		newInteropScenario(t).engineWritesMSALReads(t)
	})
	t.Run("MSALWritesEngineReads", func(t *testing.T) {
		sc := newInteropScenario(t)
		sc.engineWritesMSALReads(t)
		sc.msalWritesEngineReads(t)
	})
	t.Run("NoDuplicates", func(t *testing.T) {
		sc := newInteropScenario(t)
		sc.engineWritesMSALReads(t)
		sc.msalWritesEngineReads(t)
		sc.noDuplicates(t)
	})
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func countsBySection(c cache.Counts) map[string]int {
	return map[string]int{
		cache.SectionAccessToken:  c.AccessTokens,
		cache.SectionRefreshToken: c.RefreshTokens,
		cache.SectionIDToken:      c.IDTokens,
		cache.SectionAccount:      c.Accounts,
		cache.SectionAppMetadata:  c.AppMetadata,
	}
}
