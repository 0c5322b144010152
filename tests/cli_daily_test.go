package tests

// End-to-end tests of the commands that hand acctui's tokens to the tools
// people use every day: token's output formats (az's JSON, Kubernetes'
// ExecCredential), the git credential helper with real git. The
// ExecCredential is also consumed by client-go itself in tests/kubeexec.

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	// aksServerAppID is the AKS AAD server application, the audience of
	// tokens kubectl sends to an AKS cluster with Entra sign-in.
	aksServerAppID = "6dae42f8-4368-4678-94ff-3960e28e3630"
	// azureDevOpsResource is Azure DevOps' application id.
	azureDevOpsResource = "499b84ac-1321-427f-aa17-267ca6975798"
)

func TestDailyTools(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	s := newCLISuite(t, e)
	alice := s.newEnv(t, "alice")
	alice.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
	cached := alice.plainToken(t)

	t.Run("token/output-az", func(t *testing.T) {
		// a zone far from UTC, so a UTC time would show
		env := alice.with("TZ", "Asia/Kolkata")
		res := env.run(t, nil, "token", "-o", "az").want(t, 0)
		var out map[string]any
		if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
			t.Fatalf("-o az printed no JSON: %v\n%s", err, res)
		}
		var keys []string
		for _, line := range strings.Split(res.stdout, "\n") {
			if m := regexp.MustCompile(`^  "(\w+)": `).FindStringSubmatch(line); m != nil {
				keys = append(keys, m[1])
			}
		}
		// az sorts its keys and indents by two
		want := []string{"accessToken", "expiresOn", "expires_on", "subscription", "tenant", "tokenType"}
		if strings.Join(keys, ",") != strings.Join(want, ",") {
			t.Errorf("keys %v, want az's %v:\n%s", keys, want, res.stdout)
		}
		if out["accessToken"] != cached || out["tokenType"] != "Bearer" || out["tenant"] != contosoTenantID || out["subscription"] != contosoTenantID {
			t.Errorf("-o az = %v", out)
		}
		sec, _ := out["expires_on"].(float64)
		kolkata, err := time.LoadLocation("Asia/Kolkata")
		if err != nil {
			t.Skip("no time zone data")
		}
		wantOn := time.Unix(int64(sec), 0).In(kolkata).Format("2006-01-02 15:04:05.000000")
		if out["expiresOn"] != wantOn {
			t.Errorf("expiresOn = %v, want %s (expires_on %v in local time, az's format)", out["expiresOn"], wantOn, sec)
		}
	})

	t.Run("token/output-json-alias", func(t *testing.T) {
		a := alice.run(t, nil, "token", "--json").want(t, 0)
		b := alice.run(t, nil, "token", "-o", "json").want(t, 0)
		var ja, jb tokenOutput
		if json.Unmarshal([]byte(a.stdout), &ja) != nil || json.Unmarshal([]byte(b.stdout), &jb) != nil {
			t.Fatalf("no JSON:\n%s\n%s", a, b)
		}
		if ja.AccessToken != cached || jb.AccessToken != cached || ja.ExpiresOn != jb.ExpiresOn {
			t.Errorf("--json and -o json differ")
		}
		alice.run(t, nil, "token", "--json", "-o", "az").want(t, 2)
	})

	t.Run("token/output-bad", func(t *testing.T) {
		res := alice.run(t, nil, "token", "--output", "yaml").want(t, 2)
		for _, choice := range []string{"default", "json", "az", "exec-credential"} {
			if !strings.Contains(res.errorLine(), choice) {
				t.Errorf("the error does not list %s: %s", choice, res.errorLine())
			}
		}
		for _, info := range []string{`{`, `{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1alpha1"}`, `{"kind":"ExecCredential"}`, `{"kind":"Pod","apiVersion":"v1"}`} {
			res := alice.with("KUBERNETES_EXEC_INFO", info).run(t, nil, "token", "-o", "exec-credential").want(t, 2)
			if !strings.Contains(res.errorLine(), "KUBERNETES_EXEC_INFO") || res.stdout != "" {
				t.Errorf("KUBERNETES_EXEC_INFO=%s: %s", info, res)
			}
		}
	})

	t.Run("token/output-exec-credential", func(t *testing.T) {
		for _, tc := range []struct{ info, want string }{
			{"", "client.authentication.k8s.io/v1"},
			{`{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}`, "client.authentication.k8s.io/v1beta1"},
			{`{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","spec":{"interactive":true}}`, "client.authentication.k8s.io/v1"},
		} {
			res := alice.with("KUBERNETES_EXEC_INFO", tc.info).run(t, nil, "token", "-o", "exec-credential", "--scope", aksServerAppID+"/.default").want(t, 0)
			var out struct {
				Kind, APIVersion string
				Status           struct {
					Token               string
					ExpirationTimestamp time.Time
				}
			}
			if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
				t.Fatalf("no JSON: %v\n%s", err, res)
			}
			s.remember(out.Status.Token, "AKS token")
			if out.Kind != "ExecCredential" || out.APIVersion != tc.want {
				t.Errorf("KUBERNETES_EXEC_INFO=%q: kind %q apiVersion %q, want %s", tc.info, out.Kind, out.APIVersion, tc.want)
			}
			if aud := jwtClaims(t, out.Status.Token)["aud"]; aud != aksServerAppID {
				t.Errorf("aud = %v, want the AKS server app", aud)
			}
			if d := time.Until(out.Status.ExpirationTimestamp); d < 30*time.Minute || d > 2*time.Hour {
				t.Errorf("expirationTimestamp %v is not about an hour away", out.Status.ExpirationTimestamp)
			}
		}
	})

	t.Run("git-credential/fill", func(t *testing.T) {
		git, err := exec.LookPath("git")
		if err != nil {
			t.Skip("no git")
		}
		// git runs acctui, then a helper that answers every host, so a host
		// acctui leaves alone shows that git moved on.
		config := filepath.Join(t.TempDir(), "gitconfig")
		writeFile(t, config, "[credential]\n\thelper = \""+acctuiBinary(t)+" git-credential\"\n\thelper = \"!f() { test \\\"$1\\\" = get && echo username=next && echo password=next-helper; }; f\"\n")
		fill := func(t *testing.T, request string, extra ...string) cliResult {
			t.Helper()
			cmd := exec.Command(git, "credential", "fill")
			env := alice.with(append([]string{"GIT_CONFIG_GLOBAL", config, "GIT_CONFIG_NOSYSTEM", "1", "GIT_TERMINAL_PROMPT", "0"}, extra...)...)
			cmd.Env = env.environ()
			cmd.Dir = env.home
			cmd.Stdin = strings.NewReader(request)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			res := cliResult{args: []string{"git credential fill"}, stdout: stdout.String(), stderr: stderr.String()}
			if ee, ok := err.(*exec.ExitError); ok {
				res.code = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			return res
		}
		for _, host := range []string{"dev.azure.com", "contoso.visualstudio.com"} {
			res := fill(t, "protocol=https\nhost="+host+"\npath=contoso/project/_git/repo\n\n").want(t, 0)
			attrs := gitAttrs(res.stdout)
			s.remember(attrs["password"], "Azure DevOps token from git credential fill")
			if attrs["username"] != aliceUsername || attrs["password"] == "" || attrs["password"] == "next-helper" {
				t.Fatalf("%s: git got %q", host, attrs["username"])
			}
			if aud := jwtClaims(t, attrs["password"])["aud"]; aud != azureDevOpsResource {
				t.Errorf("%s: aud = %v, want Azure DevOps", host, aud)
			}
		}
		// the organisation as the URL's user name stays
		res := fill(t, "protocol=https\nhost=dev.azure.com\nusername=contoso\n\n").want(t, 0)
		if attrs := gitAttrs(res.stdout); attrs["username"] != "contoso" || attrs["password"] == "next-helper" {
			t.Errorf("with a username git got %v", attrs["username"])
		}
		for _, req := range []string{"protocol=https\nhost=github.com\n\n", "protocol=http\nhost=dev.azure.com\n\n"} {
			res := fill(t, req).want(t, 0)
			if attrs := gitAttrs(res.stdout); attrs["password"] != "next-helper" {
				t.Errorf("%q: acctui answered a request it must leave to the next helper: %v", req, attrs["username"])
			}
		}
	})

	t.Run("git-credential/direct", func(t *testing.T) {
		for _, op := range []string{"store", "erase"} {
			in := "protocol=https\nhost=dev.azure.com\nusername=x\npassword=secret-from-git\n\n"
			res := alice.run(t, &in, "git-credential", op).want(t, 0)
			if res.stdout != "" {
				t.Errorf("%s printed %q", op, res.stdout)
			}
		}
		in := "protocol=https\npath=x\n\n"
		res := alice.run(t, &in, "git-credential", "get").want(t, 2)
		if !strings.Contains(res.errorLine(), "no host") {
			t.Errorf("no host: %s", res)
		}
		alice.run(t, nil, "git-credential", "fetch").want(t, 2)
		in = "protocol=https\nhost=dev.azure.com\n\n"
		res = alice.run(t, &in, "git-credential", "get", "--account", "nobody@contoso.example").want(t, 4)
		if !strings.Contains(res.errorLine(), "acctui login") {
			t.Errorf("unknown account: %s", res)
		}
		empty := s.newEnv(t, "empty")
		empty.run(t, &in, "git-credential", "get").want(t, 4)
		// a locked vault: the wrong passphrase, and none without a terminal
		for _, pass := range []string{"not the passphrase", ""} {
			locked := alice.with("ACCTUI_VAULT_PASSPHRASE", pass)
			for _, args := range [][]string{{"git-credential", "get"}, {"token", "-o", "exec-credential"}, {"token", "-o", "az"}, {"use", aliceUsername}} {
				res := locked.run(t, &in, args...)
				if res.code != 1 || !strings.Contains(res.errorLine(), "ACCTUI_VAULT_PASSPHRASE") || res.stdout != "" {
					t.Errorf("%v with passphrase %q: %s", args, pass, res)
				}
			}
		}
	})
}

// gitAttrs parses git's key=value output.
func gitAttrs(out string) map[string]string {
	attrs := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			attrs[k] = v
		}
	}
	return attrs
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestConventions: what people expect of a command line, from the outside.
func TestConventions(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	s := newCLISuite(t, e)
	alice := s.newEnv(t, "alice")
	alice.loginPassword(t, aliceUsername, alicePassword).want(t, 0)

	t.Run("version-flag", func(t *testing.T) {
		a := alice.run(t, nil, "--version").want(t, 0)
		b := alice.run(t, nil, "version").want(t, 0)
		if a.stdout != b.stdout || !strings.HasPrefix(a.stdout, "acctui ") {
			t.Errorf("--version %q, version %q", a.stdout, b.stdout)
		}
	})

	t.Run("unknown-command", func(t *testing.T) {
		res := alice.run(t, nil, "tokn").want(t, 2)
		lines := strings.Split(strings.TrimRight(res.stderr, "\n"), "\n")
		if len(lines) != 2 || lines[0] != `acctui: unknown command "tokn" for "acctui"` || lines[1] != "Did you mean acctui token?" {
			t.Errorf("stderr:\n%s", res.stderr)
		}
	})

	t.Run("enumerated-values", func(t *testing.T) {
		for _, tc := range []struct {
			args    []string
			choices []string
		}{
			{[]string{"completion", "tcsh"}, []string{"bash", "zsh", "fish", "powershell"}},
			{[]string{"--vault-backend", "bogus", "accounts"}, []string{"auto", "keyctl", "file", "secret-service"}},
			{[]string{"login", "--method", "bogus"}, []string{"browser", "device", "password"}},
			{[]string{"token", "-o", "bogus"}, []string{"default", "json", "az", "exec-credential"}},
		} {
			res := alice.run(t, nil, tc.args...).want(t, 2)
			for _, c := range tc.choices {
				if !strings.Contains(res.errorLine(), c) {
					t.Errorf("%v: %q does not list %s", tc.args, res.errorLine(), c)
				}
			}
		}
		res := alice.run(t, nil, "completion", "bash").want(t, 0)
		if !strings.Contains(res.stdout, "bash completion") {
			t.Errorf("completion bash printed no script")
		}
	})

	t.Run("no-internal-names", func(t *testing.T) {
		garbage := `{"AccessToken": 5}`
		for _, res := range []cliResult{
			alice.run(t, nil, "import", "--msal", filepath.Join(alice.home, "missing.json")).want(t, 1),
			alice.run(t, &garbage, "import", "--msal", "-").want(t, 1),
		} {
			line := strings.TrimPrefix(res.errorLine(), "acctui: ")
			if m := regexp.MustCompile(`(^|[:;] )(acctui|engine|vault|cache|parse): `).FindString(line); m != "" {
				t.Errorf("%q names %q", line, m)
			}
		}
	})

	t.Run("did-you-mean-account", func(t *testing.T) {
		for _, typo := range []string{"alice", "alice@contoso.exampel", "ALICE@contoso.example.", "alice@contoso.exampl"} {
			res := alice.run(t, nil, "token", "--account", typo).want(t, 2)
			if !strings.Contains(res.errorLine(), "did you mean "+aliceUsername+"?") {
				t.Errorf("--account %s: %s", typo, res.errorLine())
			}
		}
		res := alice.run(t, nil, "token", "--account", "zed@fabrikam.example").want(t, 4)
		if strings.Contains(res.errorLine(), "did you mean") || !strings.Contains(res.errorLine(), "acctui login --username zed@fabrikam.example") {
			t.Errorf("far from every account: %s", res.errorLine())
		}
	})

	t.Run("stdio-transfer", func(t *testing.T) {
		out := alice.run(t, nil, "export", "--msal", "-").want(t, 0)
		if !strings.Contains(out.stdout, `"RefreshToken"`) {
			t.Fatalf("export - printed no MSAL cache")
		}
		for _, secrets := range msalCacheJSONSecrets(t, out.stdout) {
			s.remember(secrets, "exported to stdout")
		}
		other := s.newEnv(t, "other")
		res := other.run(t, &out.stdout, "import", "--msal", "-").want(t, 0)
		if !strings.Contains(res.stderr, "Imported standard input") {
			t.Errorf("import - said %q", res.stderr)
		}
		if got := usernames(other.accountsJSON(t)); strings.Join(got, ",") != aliceUsername {
			t.Errorf("accounts after import -: %v", got)
		}
	})

	t.Run("accounts-output", func(t *testing.T) {
		env := s.newEnv(t, "two")
		env.loginPassword(t, carolUsername, "demo-carol").want(t, 0)
		env.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
		res := env.run(t, nil, "accounts", "-o", "tsv").want(t, 0)
		jsonAccounts := env.accountsJSON(t)
		lines := strings.Split(strings.TrimSuffix(res.stdout, "\n"), "\n")
		if len(lines) != 2 || len(jsonAccounts) != 2 {
			t.Fatalf("tsv:\n%s", res.stdout)
		}
		for i, line := range lines {
			f := strings.Split(line, "\t")
			j := jsonAccounts[i]
			if len(f) != 7 || f[6] != "false" || f[0] != j["username"] || f[1] != j["name"] || f[2] != j["tenant_id"] || f[3] != j["home_account_id"] || f[4] != j["status"] {
				t.Errorf("tsv line %q does not match JSON %v", line, j)
				continue
			}
			tsvExp, err1 := time.Parse(time.RFC3339, f[5])
			jsonExp, err2 := time.Parse(time.RFC3339, j["expires_on"].(string))
			if err1 != nil || err2 != nil || !tsvExp.Equal(jsonExp.Truncate(time.Second)) {
				t.Errorf("expires_on tsv %q json %v", f[5], j["expires_on"])
			}
		}
		if lines[0][:len(aliceUsername)] != aliceUsername {
			t.Errorf("tsv not sorted by username:\n%s", res.stdout)
		}
		table := env.run(t, nil, "accounts", "--output", "table").want(t, 0)
		if !strings.Contains(table.stdout, carolUsername) || !strings.Contains(table.stdout, "refresh_token") {
			t.Errorf("table:\n%s", table.stdout)
		}
		env.run(t, nil, "accounts", "-o", "yaml").want(t, 2)
		env.run(t, nil, "accounts", "--json", "-o", "tsv").want(t, 2)
	})

	t.Run("completion-values", func(t *testing.T) {
		complete := func(t *testing.T, env *cliEnv, args ...string) []string {
			t.Helper()
			res := env.run(t, nil, append([]string{"__complete"}, args...)...).want(t, 0)
			var out []string
			for _, line := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
				if line != "" && !strings.HasPrefix(line, ":") {
					out = append(out, strings.SplitN(line, "\t", 2)[0])
				}
			}
			return out
		}
		has := func(t *testing.T, got []string, want ...string) {
			t.Helper()
			for _, w := range want {
				if !slices.Contains(got, w) {
					t.Errorf("completion %v lacks %q", got, w)
				}
			}
		}
		accts := alice.accountsJSON(t)
		home := accts[0]["home_account_id"].(string)
		has(t, complete(t, alice, "token", "--account", ""), aliceUsername, home)
		has(t, complete(t, alice, "git-credential", "get", "--account", "al"), aliceUsername)
		has(t, complete(t, alice, "logout", ""), aliceUsername, home)
		has(t, complete(t, alice, "token", "--tenant", ""), contosoTenantID)
		has(t, complete(t, alice, "token", "--scope", "https://man"), cliDefaultScope)
		has(t, complete(t, alice, "token", "-o", ""), "default", "json", "az", "exec-credential")
		has(t, complete(t, alice, "accounts", "--output", ""), "table", "json", "tsv")
		has(t, complete(t, alice, "login", "--method", ""), "browser", "device", "password")
		has(t, complete(t, alice, "accounts", "--vault-backend", ""), "file", "keyctl", "secret-service")
		if got := complete(t, alice, "token", "--account", "zzz"); len(got) != 0 {
			t.Errorf("prefix zzz completed to %v", got)
		}
		// without the passphrase: nothing from the vault, and no question
		if got := complete(t, alice.with("ACCTUI_VAULT_PASSPHRASE", ""), "token", "--account", ""); len(got) != 0 {
			t.Errorf("a locked vault completed to %v", got)
		}
	})

	t.Run("times-carry-zone", func(t *testing.T) {
		res := alice.with("TZ", "Asia/Kolkata").run(t, nil, "accounts").want(t, 0)
		if !regexp.MustCompile(`\d\d:\d\d IST \(`).MatchString(res.stdout) {
			t.Errorf("accounts' times without a zone:\n%s", res.stdout)
		}
	})

	t.Run("mfa-advice-outside-vault", func(t *testing.T) {
		env := s.newEnv(t, "bob")
		res := env.loginPassword(t, bobUsername, "demo-bob").want(t, 4)
		if strings.Contains(res.errorLine(), "acctui token") {
			t.Errorf("advice for an account not in the vault suggests token: %s", res.errorLine())
		}
	})

	t.Run("device-login-plain-to-file", func(t *testing.T) {
		env := s.newEnv(t, "device").with("NO_COLOR", "")
		p := env.start(t, "login", "--method", "device")
		p.waitFor(t, regexp.MustCompile(`Waiting for the sign-in to finish`), 10*time.Second)
		if strings.Contains(p.stderrText(), "\x1b[") {
			t.Errorf("escape codes in stderr that is not a terminal")
		}
	})
}

// msalCacheJSONSecrets returns the secrets of a plain MSAL cache.
func msalCacheJSONSecrets(t *testing.T, doc string) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cache.json")
	writeFile(t, path, doc)
	var out []string
	for _, list := range msalCacheSecrets(t, path) {
		out = append(out, list...)
	}
	return out
}

// tokenUser names the user an access token was issued to: v1 tokens (ARM,
// AKS, Azure DevOps) carry upn, v2 tokens preferred_username.
func tokenUser(claims map[string]any) string {
	if upn, ok := claims["upn"].(string); ok {
		return upn
	}
	name, _ := claims["preferred_username"].(string)
	return name
}

// TestActiveAccount: acctui use with two accounts, as a user runs it.
func TestActiveAccount(t *testing.T) {
	t.Parallel()
	e := startEmulator(t)
	s := newCLISuite(t, e)
	env := s.newEnv(t, "two")
	env.loginPassword(t, aliceUsername, alicePassword).want(t, 0)
	env.loginPassword(t, carolUsername, "demo-carol").want(t, 0)
	who := func(t *testing.T, args ...string) string {
		t.Helper()
		return tokenUser(jwtClaims(t, env.plainToken(t, args...)))
	}
	gitUser := func(t *testing.T) string {
		t.Helper()
		in := "protocol=https\nhost=dev.azure.com\n\n"
		res := env.run(t, &in, "git-credential", "get").want(t, 0)
		attrs := gitAttrs(res.stdout)
		s.remember(attrs["password"], "Azure DevOps token")
		return attrs["username"]
	}

	res := env.run(t, nil, "token").want(t, 2)
	if !strings.Contains(res.errorLine(), "acctui use") {
		t.Errorf("two accounts, none active: %s", res.errorLine())
	}
	res = env.run(t, nil, "use").want(t, 0)
	if res.stdout != "" || !strings.Contains(res.stderr, "No account is active") {
		t.Errorf("use without an active account: %s", res)
	}

	env.run(t, nil, "use", carolUsername).want(t, 0)
	res = env.run(t, nil, "use").want(t, 0)
	if !strings.HasPrefix(res.stdout, carolUsername+"\t") {
		t.Errorf("use printed %q", res.stdout)
	}
	if got := who(t); got != carolUsername {
		t.Errorf("token used %s, want the active %s", got, carolUsername)
	}
	if got := who(t, "--account", aliceUsername); got != aliceUsername {
		t.Errorf("--account beats the active account: got %s", got)
	}
	if got := gitUser(t); got != carolUsername {
		t.Errorf("git-credential used %s", got)
	}
	ec := env.run(t, nil, "token", "-o", "exec-credential").want(t, 0)
	var cred struct{ Status struct{ Token string } }
	if err := json.Unmarshal([]byte(ec.stdout), &cred); err != nil {
		t.Fatal(err)
	}
	s.remember(cred.Status.Token, "exec credential")
	if tokenUser(jwtClaims(t, cred.Status.Token)) != carolUsername {
		t.Errorf("the exec credential is not the active account's")
	}

	for _, a := range env.accountsJSON(t) {
		if want := a["username"] == carolUsername; a["active"] != want {
			t.Errorf("accounts --json: %v active=%v", a["username"], a["active"])
		}
	}
	table := env.run(t, nil, "accounts").want(t, 0).stdout
	var marked []string
	for _, line := range strings.Split(table, "\n") {
		if strings.Contains(line, "(active)") {
			marked = append(marked, strings.Fields(line)[0])
		}
	}
	if strings.Join(marked, ",") != carolUsername {
		t.Errorf("accounts table marks %v, want %s:\n%s", marked, carolUsername, table)
	}

	env.run(t, nil, "use", "--clear").want(t, 0)
	env.run(t, nil, "token").want(t, 2)
	env.run(t, nil, "use", "--clear", aliceUsername).want(t, 2)
	res = env.run(t, nil, "use", "nobody@contoso.example").want(t, 1)
	if !strings.Contains(res.errorLine(), "no such account") {
		t.Errorf("use of an unknown account: %s", res.errorLine())
	}

	// logging the active account out clears it
	env.run(t, nil, "use", aliceUsername).want(t, 0)
	env.run(t, nil, "logout", aliceUsername, "--yes").want(t, 0)
	if res := env.run(t, nil, "use").want(t, 0); res.stdout != "" {
		t.Errorf("the logged-out account is still active: %q", res.stdout)
	}
	if got := who(t); got != carolUsername {
		t.Errorf("token with one account left used %s", got)
	}
}
