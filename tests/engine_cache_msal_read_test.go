package tests

// MSAL Python's reading code paths over what acctui exports: a cache with
// entries the engine wrote and entries imported from elsewhere with empty,
// null or missing numbers. MSAL Python 1.31 raised KeyError: 'expires_on'
// over the whole cache for one such access token; every entry must now
// come out readable. The Python side is msalpy/cache_read_paths.py.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"acctui/engine"
	"acctui/engine/cache"
	"acctui/engine/idptest"
)

type readPathsResult struct {
	OK         bool           `json:"ok"`
	Counts     map[string]int `json:"counts"`
	Accounts   []string       `json:"accounts"`
	ByUsername map[string]int `json:"by_username"`
	Silent     []struct {
		Username string `json:"username"`
		Scope    string `json:"scope"`
		Outcome  string `json:"outcome"`
	} `json:"silent"`
	Reloaded map[string]int `json:"reloaded"`
	Left     map[string]int `json:"left_after_removal"`
}

func TestExportedCacheReadsInMSALPython(t *testing.T) {
	t.Parallel()
	requireMSALPython(t)
	srv := idptest.Start(t, idptest.Options{TLS: true})
	tmp := t.TempDir()
	caFile := filepath.Join(tmp, "emulator-ca.pem")
	if err := os.WriteFile(caFile, srv.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	contoso := srv.Authority("contoso")
	store := engine.NewMemoryStore(nil)
	eng, err := engine.New(engine.Config{ClientID: idptest.AzureCLIClientID, Authority: contoso, HTTPClient: srv.Client(), Cache: store})
	if err != nil {
		t.Fatal(err)
	}
	alice, err := eng.AcquireTokenByUsernamePassword(ctx, []string{armScope}, aliceUsername, engine.Secret("demo-alice"))
	if err != nil {
		t.Fatal(err)
	}
	home := alice.Account.HomeAccountID

	// Entries imported from elsewhere, filed where MSAL's silent path
	// looks (alice, the emulator's environment, contoso's realm, the CLI)
	// so its readers walk them.
	const (
		expiredScope = "https://vault.azure.net/.default"
		nullScope    = "https://storage.azure.com/.default"
		bareScope    = "https://database.windows.net/.default"
	)
	at := func(scope, members string) string {
		return `{"credential_type":"AccessToken","secret":"imported-` + scope + `","home_account_id":"` + home +
			`","environment":"` + emulatorEnvironment + `","client_id":"` + idptest.AzureCLIClientID +
			`","realm":"` + contosoTenantID + `","target":"` + scope + `"` + members + `}`
	}
	imported := `{
		"AccessToken": {
			"x1": ` + at(expiredScope, `,"expires_on":"","cached_at":""`) + `,
			"x2": ` + at(nullScope, `,"expires_on":null,"cached_at":null,"extended_expires_on":null`) + `,
			"x3": ` + at(bareScope, ``) + `
		},
		"RefreshToken": {
			"r1": {"credential_type":"RefreshToken","secret":"imported-rt","home_account_id":"` + home + `","environment":"` + emulatorEnvironment + `","client_id":"` + idptest.AzureCLIClientID + `","target":"` + expiredScope + `","last_modification_time":null},
			"r2": {"credential_type":"RefreshToken","secret":"imported-rt2","home_account_id":"` + home + `","environment":"` + emulatorEnvironment + `","client_id":"` + idptest.AzureCLIClientID + `","target":"` + nullScope + `","last_modification_time":""}
		},
		"IdToken": {
			"i1": {"credential_type":"IdToken","secret":"x.y.z","home_account_id":"someone.else","environment":"` + emulatorEnvironment + `","client_id":"` + idptest.AzureCLIClientID + `","realm":"` + contosoTenantID + `"}
		},
		"Account": {
			"a1": {"home_account_id":"someone.else","environment":"` + emulatorEnvironment + `","realm":"` + contosoTenantID + `","authority_type":"MSSTS"}
		},
		"AppMetadata": {
			"m1": {"client_id":"` + idptest.AzurePowerShellClientID + `","environment":"` + emulatorEnvironment + `","family_id":null}
		}
	}`
	merged := store.Snapshot()
	extra, err := cache.Parse([]byte(imported))
	if err != nil {
		t.Fatal(err)
	}
	merged.Merge(extra)
	exported, err := merged.Marshal() // what vault.ExportPlaintext writes
	if err != nil {
		t.Fatal(err)
	}
	cacheFile := filepath.Join(tmp, "msal_token_cache.json")
	if err := os.WriteFile(cacheFile, exported, 0o600); err != nil {
		t.Fatal(err)
	}

	script, err := filepath.Abs(filepath.Join("msalpy", "cache_read_paths.py"))
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	args := []string{script, "--url", srv.URL(), "--ca-file", caFile, "--authority", contoso, "--cache", cacheFile}
	for _, s := range []string{armScope, expiredScope, nullScope, bareScope} {
		args = append(args, "--scope", s)
	}
	cmd := exec.CommandContext(cctx, systemPython, args...)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1")
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("MSAL Python could not read the exported cache: %v\n%s", err, stderr.String())
	}
	var got readPathsResult
	if err := json.Unmarshal(out, &got); err != nil || !got.OK {
		t.Fatalf("cache_read_paths.py: %v: %q\n%s", err, out, stderr.String())
	}
	if got.Counts["AccessToken"] != 4 || got.Counts["RefreshToken"] != 3 || got.Counts["IdToken"] != 2 || got.Counts["Account"] != 2 || got.Counts["AppMetadata"] != 2 {
		t.Errorf("MSAL sees %v", got.Counts)
	}
	if len(got.Accounts) != 2 || got.ByUsername[aliceUsername] != 1 {
		t.Errorf("accounts %v by username %v", got.Accounts, got.ByUsername)
	}
	outcomes := map[string]string{}
	for _, s := range got.Silent {
		if s.Username == aliceUsername {
			outcomes[s.Scope] = s.Outcome
		}
	}
	// alice's own token is served; the imported ones without an expiry are
	// expired for MSAL, which then walks the refresh tokens (newest first)
	// and refreshes against the emulator
	for _, s := range []string{armScope, expiredScope, nullScope, bareScope} {
		if outcomes[s] != "token" {
			t.Errorf("MSAL silent for alice, %s: %q", s, outcomes[s])
		}
	}
	if got.Reloaded["AccessToken"] < 4 {
		t.Errorf("after serialize/deserialize %v", got.Reloaded)
	}
	if got.Left["Account"] != 0 || got.Left["IdToken"] != 0 {
		t.Errorf("left after remove_account: %v", got.Left)
	}
}
