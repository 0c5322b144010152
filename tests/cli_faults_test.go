package tests

// TestCLIFaultMatrix breaks the emulator's token endpoint in each way a real
// identity provider, proxy or network does (POST /_admin/faults) and runs
// `acctui token --force-refresh` against it: every fault must end in one
// clear "acctui: " line and the right exit code, print nothing on stdout,
// crash nothing, and leave the vault as it was, so that a plain `acctui
// token` still answers from the cache afterwards without a request.

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"acctui/engine/cache"
	"acctui/vault"
)

// faultSpec is the body of POST /_admin/faults.
type faultSpec struct {
	Endpoint          string `json:"endpoint"`
	Kind              string `json:"kind"`
	Count             int    `json:"count,omitempty"`
	Status            int    `json:"status,omitempty"`
	RetryAfterSeconds int    `json:"retry_after_seconds,omitempty"`
	DelayMillis       int    `json:"delay_ms,omitempty"`
}

// faultRecord is a request log entry with the fault that answered it.
type faultRecord struct {
	Endpoint  string `json:"endpoint"`
	GrantType string `json:"grant_type"`
	Status    int    `json:"status"`
	Fault     string `json:"fault"`
}

func (e *emulator) injectFault(t *testing.T, f faultSpec) {
	t.Helper()
	e.admin(t, http.MethodPost, "/_admin/faults", f, nil)
}

func (e *emulator) clearFaults(t *testing.T) {
	t.Helper()
	e.admin(t, http.MethodDelete, "/_admin/faults", nil, nil)
}

func (e *emulator) faultRecords(t *testing.T) []faultRecord {
	t.Helper()
	var recs []faultRecord
	e.admin(t, http.MethodGet, "/_admin/requests", nil, &recs)
	return recs
}

// arrivedRecords is every request the emulator has taken in, answered or
// not (the emulator logs a request in faultRecords only once its handler
// returns).
func (e *emulator) arrivedRecords(t *testing.T) []faultRecord {
	t.Helper()
	var recs []faultRecord
	e.admin(t, http.MethodGet, "/_admin/requests/arrived", nil, &recs)
	return recs
}

// tokenOnly keeps the token endpoint's records.
func tokenOnly(recs []faultRecord) []faultRecord {
	var out []faultRecord
	for _, r := range recs {
		if r.Endpoint == "token" {
			out = append(out, r)
		}
	}
	return out
}

// settledTokenRecords returns the token endpoint's log once it holds at
// least want entries and every token request that arrived has been
// answered. The emulator logs a request when its handler returns, which
// for an aborted answer (oversize, a cancelled delay) can be a moment
// after the client gave up. The deadline only bounds a broken run; the
// caller's check then reports what was logged.
func (e *emulator) settledTokenRecords(t *testing.T, want int) []faultRecord {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		arrived, answered := len(tokenOnly(e.arrivedRecords(t))), tokenOnly(e.faultRecords(t))
		if (len(answered) >= want && len(answered) == arrived) || time.Now().After(deadline) {
			return answered
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// awaitTokenRequest waits until a token request has reached the emulator
// (it may still be held there by a delay fault).
func (e *emulator) awaitTokenRequest(t *testing.T, p *cliProc) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for len(tokenOnly(e.arrivedRecords(t))) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no token request reached the emulator:\n%s", p.stderrText())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// dirSnapshot is every regular file under dir, by relative path.
func dirSnapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	snap := map[string][]byte{}
	for _, f := range filesUnder(t, []string{dir}) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		rel, err := filepath.Rel(dir, f)
		if err != nil {
			t.Fatal(err)
		}
		snap[rel] = data
	}
	return snap
}

// sameSnapshot reports how two snapshots of a directory differ ("" when
// they do not), naming files only.
func sameSnapshot(before, after map[string][]byte) string {
	var diffs []string
	for _, name := range slices.Sorted(maps.Keys(before)) {
		got, ok := after[name]
		switch {
		case !ok:
			diffs = append(diffs, name+" removed")
		case !bytes.Equal(got, before[name]):
			diffs = append(diffs, name+" changed")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(after)) {
		if _, ok := before[name]; !ok {
			diffs = append(diffs, name+" added")
		}
	}
	return strings.Join(diffs, ", ")
}

// exportSections reads the whole vault, as the CLI opens it, and returns
// its sections as raw JSON.
func exportSections(t *testing.T, env *cliEnv) map[string]map[string]json.RawMessage {
	t.Helper()
	// The vault read as the CLI opens it, acctui's metadata section
	// included (a plaintext export leaves that section out).
	v, err := vault.Open(context.Background(), vault.Options{
		Dir: env.vars["ACCTUI_VAULT_DIR"], Backend: env.vars["ACCTUI_VAULT_BACKEND"],
		PassphraseEnv: "ACCTUI_VAULT_PASSPHRASE",
		Getenv:        func(name string) string { return env.vars[name] },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	var raw []byte
	if err := v.Read(context.Background(), cache.Hint{}, func(c *cache.Cache) error {
		raw, err = c.Marshal()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("the vault's cache is not JSON: %v", err)
	}
	return doc
}

// checkOneErrorLine: nothing on stdout, and stderr is the "acctui: " line
// alone, short and without the raw answer of the fault.
func checkOneErrorLine(t *testing.T, res cliResult, wants ...string) string {
	t.Helper()
	if res.stdout != "" {
		t.Errorf("stdout is not empty: %q", res.stdout)
	}
	line := res.errorLine()
	if strings.TrimRight(res.stderr, "\n") != line || strings.Count(res.stderr, "\n") != 1 {
		t.Errorf("stderr is not exactly the one \"acctui: \" line:\n%s", res.stderr)
	}
	if len(line) > 600 {
		t.Errorf("the error line is %d bytes long: %.200q…", len(line), line)
	}
	for _, raw := range []string{"<html", "<body", "xxxxxxxxxxxxxxxx", `{"token_type"`} {
		if strings.Contains(line, raw) {
			t.Errorf("the error line repeats the raw answer (%q): %q", raw, line)
		}
	}
	for _, want := range wants {
		if !strings.Contains(strings.ToLower(line), strings.ToLower(want)) {
			t.Errorf("the error line lacks %q: %q", want, line)
		}
	}
	return line
}

func TestCLIFaultMatrix(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	s := newCLISuite(t, e)

	// signedIn is a new person with alice signed in by password and her
	// access token fetched once through the network, so the vault holds
	// a refresh token that works and an access token fresh from the
	// provider; it returns that token.
	signedIn := func(t *testing.T, name string) (*cliEnv, string) {
		t.Helper()
		env := s.newEnv(t, name)
		env.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		out := env.token(t, "--force-refresh")
		if out.Source != "identity_provider" {
			t.Fatalf("token --force-refresh: source %s", out.Source)
		}
		return env, out.AccessToken
	}
	// fromCache checks that a plain token run answers want from the cache
	// with no request at all.
	fromCache := func(t *testing.T, env *cliEnv, want string) {
		t.Helper()
		e.resetRequests(t)
		if got := env.plainToken(t); got != want {
			t.Errorf("plain token after the fault: not the cached token")
		}
		if recs := e.requests(t); len(recs) != 0 {
			t.Errorf("plain token after the fault sent %d requests: %+v", len(recs), recs)
		}
	}

	// alice goes through every fault that leaves no wait behind, one after
	// the other, in one vault.
	alice, cached := signedIn(t, "alice")
	vaultDir := alice.vars["ACCTUI_VAULT_DIR"]
	if _, err := os.Stat(filepath.Join(vaultDir, "vault.acctui")); err != nil {
		t.Fatalf("no vault file: %v", err)
	}

	type faultCase struct {
		name  string
		fault faultSpec
		// requests is how many token requests the run sends: one; a
		// request that reached the server is never sent again, not even
		// after a dropped connection.
		requests int
		wants    []string // in the error line, case-insensitive
	}
	for _, c := range []faultCase{
		{"malformed-json", faultSpec{Kind: "malformed_json"}, 1, []string{"malformed JSON"}},
		{"truncated", faultSpec{Kind: "truncated", Count: 2}, 1, []string{"cannot reach the identity provider", "check the network"}},
		{"oversize", faultSpec{Kind: "oversize"}, 1, []string{"more than", "bytes"}},
		{"drop", faultSpec{Kind: "drop", Count: 2}, 1, []string{"cannot reach the identity provider", "check the network"}},
		{"redirect", faultSpec{Kind: "redirect"}, 1, []string{"redirect"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.clearFaults(t)
			e.resetRequests(t)
			before := dirSnapshot(t, vaultDir)
			c.fault.Endpoint = "token"
			e.injectFault(t, c.fault)
			res := alice.run(t, nil, "token", "--force-refresh").want(t, 1)
			line := checkOneErrorLine(t, res, c.wants...)
			t.Logf("%s: %s (%s)", c.name, line, res.elapsed.Round(time.Millisecond))
			if c.name == "redirect" && strings.Contains(line, "attacker.invalid") {
				t.Errorf("the redirect's target is named as if it were fetched: %q", line)
			}
			recs := e.settledTokenRecords(t, c.requests)
			if len(recs) != c.requests {
				t.Errorf("token requests = %d, want %d: %+v", len(recs), c.requests, recs)
			}
			for _, r := range recs {
				if r.Fault != c.fault.Kind || r.GrantType != "refresh_token" {
					t.Errorf("a token request was not the faulted refresh: %+v", r)
				}
			}
			if diff := sameSnapshot(before, dirSnapshot(t, vaultDir)); diff != "" {
				t.Errorf("the failed run changed the vault directory: %s", diff)
			}
			e.clearFaults(t)
		})
	}

	t.Run("untrusted-certificate", func(t *testing.T) {
		e.clearFaults(t)
		e.resetRequests(t)
		before := dirSnapshot(t, vaultDir)
		// Without --ca-file the emulator's CA is unknown: the handshake
		// must fail, with no fallback to an unverified connection.
		untrusting := alice.with("ACCTUI_CA_FILE", "")
		res := untrusting.run(t, nil, "token", "--force-refresh").want(t, 1)
		line := checkOneErrorLine(t, res, "certificate", "--ca-file")
		t.Logf("untrusted-certificate: %s", line)
		// The run has ended: any request it sent and heard back about
		// arrived before it was answered, so it is in the arrivals.
		if recs := e.arrivedRecords(t); len(recs) != 0 {
			t.Errorf("a request got through an untrusted TLS connection: %+v", recs)
		}
		if diff := sameSnapshot(before, dirSnapshot(t, vaultDir)); diff != "" {
			t.Errorf("the failed run changed the vault directory: %s", diff)
		}
		// The cached token needs no TLS at all.
		if got := untrusting.plainToken(t); got != cached {
			t.Errorf("without the CA, the cached token changed")
		}
	})

	t.Run("slow-answer-interrupted", func(t *testing.T) {
		// acctui token has no setting for a shorter network timeout than
		// its HTTP client's 30 s (and the command's 60 s), far too long to
		// wait for here. A 40 s delay is therefore cut short the way a
		// person does it, with Ctrl-C (SIGINT) while the request hangs:
		// the request's context ends mid-flight, as it would at a
		// deadline (only the reason in the message differs).
		e.clearFaults(t)
		e.resetRequests(t)
		before := dirSnapshot(t, vaultDir)
		e.injectFault(t, faultSpec{Endpoint: "token", Kind: "delay", DelayMillis: 40_000})
		p := alice.start(t, "token", "--force-refresh")
		// The request is held by the emulator: interrupt it mid-flight.
		e.awaitTokenRequest(t, p)
		if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		// A liveness bound, not a speed goal: generous, yet shorter than
		// the 40 s delay, so a run that ignored SIGINT and waited for the
		// answer fails here. What ended the run is checked below: the
		// exit code and message acctui gives an interrupt.
		res := alice.wait(t, p, 30*time.Second)
		if res.code != 130 {
			t.Fatalf("an interrupted token run: want exit 130 (interrupted), got %s", res)
		}
		line := checkOneErrorLine(t, res, "interrupted")
		t.Logf("slow-answer-interrupted: exit %d: %s", res.code, line)
		recs := e.settledTokenRecords(t, 1)
		if len(recs) != 1 || recs[0].Fault != "delay" {
			t.Errorf("token requests: %+v, want the one delayed refresh", recs)
		}
		if diff := sameSnapshot(before, dirSnapshot(t, vaultDir)); diff != "" {
			t.Errorf("the interrupted run changed the vault directory: %s", diff)
		}
		e.clearFaults(t)
	})

	t.Run("slow-answer-within-deadline", func(t *testing.T) {
		e.clearFaults(t)
		e.resetRequests(t)
		e.injectFault(t, faultSpec{Endpoint: "token", Kind: "delay", DelayMillis: 1500})
		out := alice.token(t, "--force-refresh")
		if out.Source != "identity_provider" || out.AccessToken == cached {
			t.Errorf("a slow but timely answer: source %s, same token %v", out.Source, out.AccessToken == cached)
		}
		if recs := e.settledTokenRecords(t, 1); len(recs) != 1 || recs[0].Fault != "delay" || recs[0].Status != http.StatusOK {
			t.Errorf("token requests: %+v, want the one delayed refresh, answered", recs)
		}
		cached = out.AccessToken
	})

	t.Run("drop-once-then-recovers", func(t *testing.T) {
		// A connection dropped after the refresh was sent is not resent
		// (the server may have used the refresh token); the next run works.
		e.clearFaults(t)
		e.resetRequests(t)
		e.injectFault(t, faultSpec{Endpoint: "token", Kind: "drop", Count: 1})
		res := alice.run(t, nil, "token", "--force-refresh").want(t, 1)
		checkOneErrorLine(t, res, "cannot reach the identity provider")
		if recs := e.settledTokenRecords(t, 1); len(recs) != 1 || recs[0].Fault != "drop" {
			t.Errorf("token requests: %+v, want the one dropped refresh", recs)
		}
		e.resetRequests(t)
		out := alice.token(t, "--force-refresh")
		if out.Source != "identity_provider" || out.AccessToken == cached {
			t.Errorf("the run after the drop: source %s, same token %v", out.Source, out.AccessToken == cached)
		}
		if recs := e.settledTokenRecords(t, 1); len(recs) != 1 || recs[0].Fault != "" || recs[0].Status != http.StatusOK {
			t.Errorf("token requests: %+v, want one answered refresh", recs)
		}
		cached = out.AccessToken
	})

	// A 429 or a 5xx (with Retry-After, or MSAL's default minute without)
	// asks every client to wait: the engine records the wait in the vault
	// (so the next process honours it too). The vault file changes by that record only: every token
	// and account stays as it was. Each case has a vault of its own, as
	// the wait would hold back the other cases.
	for _, c := range []struct {
		name     string
		fault    faultSpec
		wants    []string
		waitText *regexp.Regexp // the wait the second run names, a second or so gone
	}{
		{"status-503-retry-after", faultSpec{Kind: "status", Status: 503, RetryAfterSeconds: 120}, []string{"HTTP 503"}, regexp.MustCompile(`retry after (2m0s|1m5\ds)`)},
		{"status-429", faultSpec{Kind: "status", Status: 429}, []string{"HTTP 429"}, regexp.MustCompile(`retry after (1m0s|5\ds)`)},
		{"status-500", faultSpec{Kind: "status", Status: 500}, []string{"HTTP 500", "retry later"}, regexp.MustCompile(`retry after (1m0s|5\ds)`)},
		{"html-502", faultSpec{Kind: "html"}, []string{"HTML"}, regexp.MustCompile(`retry after (1m0s|5\ds)`)},
	} {
		t.Run(c.name, func(t *testing.T) {
			env, token := signedIn(t, c.name)
			dir := env.vars["ACCTUI_VAULT_DIR"]
			exportBefore := exportSections(t, env)
			before := dirSnapshot(t, dir)

			e.clearFaults(t)
			e.resetRequests(t)
			c.fault.Endpoint = "token"
			e.injectFault(t, c.fault)
			res := env.run(t, nil, "token", "--force-refresh").want(t, 1)
			line := checkOneErrorLine(t, res, c.wants...)
			t.Logf("%s, first run: %s", c.name, line)
			if recs := e.settledTokenRecords(t, 1); len(recs) != 1 || recs[0].Fault != c.fault.Kind {
				t.Errorf("token requests: %+v, want the one faulted refresh", recs)
			}
			e.clearFaults(t)

			// Right after: the wait holds, without a request.
			e.resetRequests(t)
			res = env.run(t, nil, "token", "--force-refresh").want(t, 1)
			line = checkOneErrorLine(t, res, "wait")
			if !c.waitText.MatchString(line) {
				t.Errorf("the second run does not say how long to wait (%s): %q", c.waitText, line)
			}
			t.Logf("%s, second run: %s", c.name, line)
			// Arrivals, not answers: a request still held would count.
			if recs := e.arrivedRecords(t); len(recs) != 0 {
				t.Errorf("the second run, inside the wait, sent %d requests: %+v", len(recs), recs)
			}

			fromCache(t, env, token)

			after := dirSnapshot(t, dir)
			delete(before, "vault.db")
			delete(after, "vault.db")
			if diff := sameSnapshot(before, after); diff != "" {
				t.Errorf("beside the vault file, the vault directory changed: %s", diff)
			}
			exportAfter := exportSections(t, env)
			for _, section := range msalSections {
				if !maps.EqualFunc(exportBefore[section], exportAfter[section], func(a, b json.RawMessage) bool { return bytes.Equal(a, b) }) {
					t.Errorf("the %s section changed", section)
				}
			}
			for name := range exportAfter {
				if name != cache.SectionMetadata && !slices.Contains(msalSections, name) {
					t.Errorf("a new section %q", name)
				}
			}
			var added []string
			for key := range exportAfter[cache.SectionMetadata] {
				if _, ok := exportBefore[cache.SectionMetadata][key]; !ok {
					added = append(added, key)
					if !strings.HasPrefix(key, "throttle|") {
						t.Errorf("a new metadata entry %q", key)
					}
				}
			}
			if len(added) != 1 {
				t.Errorf("new metadata entries %v, want the one wait", added)
			}
		})
	}

	t.Run("afterwards-from-cache", func(t *testing.T) {
		e.clearFaults(t)
		fromCache(t, alice, cached)
	})

	t.Run("debug-logs-hold-no-secret", func(t *testing.T) {
		// Every run above wrote its debug log; the errors it records
		// must not carry a token either.
		var issued []string
		e.admin(t, http.MethodGet, "/_admin/issued", nil, &issued)
		if len(issued) == 0 {
			t.Fatal("the emulator reports no issued secret")
		}
		logs := 0
		for _, f := range filesUnder(t, []string{s.root}) {
			if filepath.Base(f) != "acctui-debug.log" {
				continue
			}
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			logs++
			rel, _ := filepath.Rel(s.root, f)
			for _, secret := range issued {
				if strings.Contains(string(data), secret) {
					t.Errorf("%s holds an issued secret (%s…)", rel, secret[:6])
				}
			}
			if jwtLike.Match(data) {
				t.Errorf("%s holds something shaped like a JWT", rel)
			}
		}
		if logs == 0 {
			t.Error("no debug log was written")
		}
	})
}
