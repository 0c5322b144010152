package tests

// The harness of the command-line end-to-end tests (cli_e2e_test.go): each
// cliEnv is one person using the built acctui binary, with a HOME, XDG
// directories and a vault directory of its own, pointed at a running
// `acctui idp serve --tls`. Every run is checked for what must never
// happen whatever the command: a hang, a crash (panic, goroutine dump), a
// token on stderr.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	// cliPassphrase is the file backend's passphrase in every test vault.
	cliPassphrase = "correct horse battery staple"
	// cliTimeout bounds one acctui run; nothing in these tests may take
	// that long, so reaching it means a hang.
	cliTimeout = 20 * time.Second
)

// jwtLike matches anything shaped like a JWT (header and payload are base64
// JSON objects, so both start with eyJ).
var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.`)

// cliSuite holds what the end-to-end tests share: the emulator, every
// environment's directories and every secret the tests have seen, so that
// the last test can look for secrets on disk.
type cliSuite struct {
	e    *emulator
	root string // outlives the subtests, for the search at the end

	mu      sync.Mutex
	dirs    []string          // the HOME, XDG and vault directories of every env
	secrets map[string]string // token -> where it was seen
}

func newCLISuite(t *testing.T, e *emulator) *cliSuite {
	return &cliSuite{e: e, root: t.TempDir(), secrets: map[string]string{}}
}

// remember records a secret (a token) the tests saw, to look for later.
func (s *cliSuite) remember(secret, where string) {
	if len(secret) < 16 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.secrets[secret]; !ok {
		s.secrets[secret] = where
	}
}

// knownSecrets returns the secrets seen so far.
func (s *cliSuite) knownSecrets() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]string, len(s.secrets))
	for k, v := range s.secrets {
		out[k] = v
	}
	return out
}

// cliEnv is one user of the binary.
type cliEnv struct {
	s    *cliSuite
	name string
	home string
	vars map[string]string
}

// newEnv makes an environment with its own HOME, XDG_CONFIG_HOME,
// XDG_DATA_HOME, XDG_CACHE_HOME, XDG_STATE_HOME and vault directory, the
// file backend with a passphrase, the kernel keyring cache off, and the
// emulator's default tenant as the authority. Nothing else of the test
// process's environment is passed on but PATH and TMPDIR.
func (s *cliSuite) newEnv(t *testing.T, name string) *cliEnv {
	t.Helper()
	root, err := os.MkdirTemp(s.root, name+"-")
	if err != nil {
		t.Fatal(err)
	}
	dir := func(sub string) string {
		p := filepath.Join(root, sub)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c := &cliEnv{s: s, name: name, home: dir("home"), vars: map[string]string{
		"PATH":                    os.Getenv("PATH"),
		"LANG":                    "C.UTF-8",
		"NO_COLOR":                "1",
		"ACCTUI_VAULT_BACKEND":    "file",
		"ACCTUI_VAULT_PASSPHRASE": cliPassphrase,
		"ACCTUI_KEYCTL_CACHE":     "0",
		"ACCTUI_AUTHORITY":        s.e.ann.Authority,
		"ACCTUI_CA_FILE":          s.e.ann.CAFile,
	}}
	if tmp := os.Getenv("TMPDIR"); tmp != "" {
		c.vars["TMPDIR"] = tmp
	}
	c.vars["HOME"] = c.home
	c.vars["XDG_CONFIG_HOME"] = dir("config")
	c.vars["XDG_DATA_HOME"] = dir("data")
	c.vars["XDG_CACHE_HOME"] = dir("cache")
	c.vars["XDG_STATE_HOME"] = dir("state")
	c.vars["ACCTUI_VAULT_DIR"] = dir("vault")
	// The debug log must never hold a token either: it lives in HOME,
	// which the last test searches.
	c.vars["ACCTUI_DEBUG"] = filepath.Join(c.home, "acctui-debug.log")
	s.mu.Lock()
	s.dirs = append(s.dirs, root)
	s.mu.Unlock()
	return c
}

// with returns a copy of the environment with variables changed; an empty
// value removes the variable.
func (c *cliEnv) with(kv ...string) *cliEnv {
	if len(kv)%2 != 0 {
		panic("with: odd number of arguments")
	}
	d := *c
	d.vars = make(map[string]string, len(c.vars))
	for k, v := range c.vars {
		d.vars[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(d.vars, kv[i])
		} else {
			d.vars[kv[i]] = kv[i+1]
		}
	}
	return &d
}

func (c *cliEnv) environ() []string {
	env := make([]string, 0, len(c.vars))
	for k, v := range c.vars {
		env = append(env, k+"="+v)
	}
	if d := c.s.e.advanced.Load(); d != 0 {
		env = append(env, fmt.Sprintf("ACCTUI_TEST_CLOCK_OFFSET=%d", d))
	}
	slices.Sort(env)
	return env
}

// cliResult is what one run printed and how it ended.
type cliResult struct {
	args    []string
	stdout  string
	stderr  string
	code    int
	elapsed time.Duration
}

func (r cliResult) String() string {
	return fmt.Sprintf("acctui %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(r.args, " "), r.code, r.stdout, r.stderr)
}

// errorLine is the "acctui: " line of a failed run ("" when there is none).
func (r cliResult) errorLine() string {
	for _, line := range strings.Split(r.stderr, "\n") {
		if strings.HasPrefix(line, "acctui: ") {
			return line
		}
	}
	return ""
}

// run runs acctui with args and stdin (nil: /dev/null, which is not a
// terminal) and checks the invariants of every run.
func (c *cliEnv) run(t *testing.T, stdin *string, args ...string) cliResult {
	t.Helper()
	return c.runTimeout(t, cliTimeout, stdin, args...)
}

func (c *cliEnv) runTimeout(t *testing.T, timeout time.Duration, stdin *string, args ...string) cliResult {
	t.Helper()
	return c.runVia(t, timeout, stdin, nil, args...)
}

// runVia is runTimeout with acctui started by another program: the
// wrapper's words come first, then acctui's path and args (dbus-run-session
// for a D-Bus session of the run's own). The checks are acctui's, so the
// wrapper must print nothing that looks like an acctui failure.
func (c *cliEnv) runVia(t *testing.T, timeout time.Duration, stdin *string, wrapper []string, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	argv := append(append(slices.Clone(wrapper), acctuiBinary(t)), args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = c.environ()
	cmd.Dir = c.home
	cmd.WaitDelay = 2 * time.Second
	if stdin != nil {
		cmd.Stdin = strings.NewReader(*stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := cliResult{args: args, stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("acctui %s did not finish within %s (a hang?)\nstderr:\n%s", strings.Join(args, " "), timeout, res.stderr)
	}
	var exitErr *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exitErr):
		res.code = exitErr.ExitCode()
	default:
		t.Fatalf("acctui %s: %v", strings.Join(args, " "), err)
	}
	c.checkInvariants(t, res)
	return res
}

// checkInvariants: no crash, no token on stderr, and a failure says so in
// one "acctui: " line.
func (c *cliEnv) checkInvariants(t *testing.T, res cliResult) {
	t.Helper()
	for _, crash := range []string{"panic:", "goroutine ", "runtime error", "[signal "} {
		if strings.Contains(res.stderr, crash) {
			t.Errorf("acctui %s crashed (%q on stderr):\n%s", strings.Join(res.args, " "), crash, res.stderr)
		}
	}
	if jwtLike.MatchString(res.stderr) {
		t.Errorf("acctui %s printed a token on stderr", strings.Join(res.args, " "))
	}
	for secret, where := range c.s.knownSecrets() {
		if strings.Contains(res.stderr, secret) {
			t.Errorf("acctui %s printed a secret (%s) on stderr", strings.Join(res.args, " "), where)
		}
	}
	if res.code != 0 {
		var lines []string
		for _, line := range strings.Split(res.stderr, "\n") {
			if strings.HasPrefix(line, "acctui: ") {
				lines = append(lines, line)
			}
		}
		if len(lines) != 1 {
			t.Errorf("acctui %s exited %d with %d \"acctui: \" error lines, want one:\n%s", strings.Join(res.args, " "), res.code, len(lines), res.stderr)
		}
		// an unknown command's suggestion may follow on its own line
		rest := strings.TrimRight(res.stderr, "\n")
		if i := strings.LastIndex(rest, "\n"); i >= 0 && strings.HasPrefix(rest[i+1:], "Did you mean ") {
			rest = rest[:i]
		}
		if !strings.HasSuffix(rest, strings.TrimRight(res.errorLine(), "\n")) {
			t.Errorf("acctui %s: the error line is not the last thing on stderr:\n%s", strings.Join(res.args, " "), res.stderr)
		}
	}
}

// want checks the exit code.
func (r cliResult) want(t *testing.T, code int) cliResult {
	t.Helper()
	if r.code != code {
		t.Fatalf("want exit %d, got %s", code, r)
	}
	return r
}

// cliProc is acctui running in the background (an interactive login),
// whose stderr the test reads as it comes.
type cliProc struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	args   []string
	stdout bytes.Buffer

	mu      sync.Mutex
	stderr  []byte
	changed chan struct{} // one buffered signal: stderr grew
	done    chan struct{} // closed when the process has exited
	err     error
}

func (p *cliProc) Write(b []byte) (int, error) {
	p.mu.Lock()
	p.stderr = append(p.stderr, b...)
	p.mu.Unlock()
	select {
	case p.changed <- struct{}{}:
	default:
	}
	return len(b), nil
}

func (p *cliProc) stderrText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return string(p.stderr)
}

// start runs acctui in the background; the test's cleanup kills it if the
// test ends first.
func (c *cliEnv) start(t *testing.T, args ...string) *cliProc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	p := &cliProc{cancel: cancel, args: args, changed: make(chan struct{}, 1), done: make(chan struct{})}
	p.cmd = exec.CommandContext(ctx, acctuiBinary(t), args...)
	p.cmd.Env = c.environ()
	p.cmd.Dir = c.home
	p.cmd.WaitDelay = 2 * time.Second
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = p
	if err := p.cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-p.done
	})
	return p
}

// waitFor waits until stderr matches re and returns the submatches.
func (p *cliProc) waitFor(t *testing.T, re *regexp.Regexp, timeout time.Duration) []string {
	t.Helper()
	deadline := time.After(timeout)
	for {
		if m := re.FindStringSubmatch(p.stderrText()); m != nil {
			return m
		}
		select {
		case <-p.changed:
		case <-p.done:
			if m := re.FindStringSubmatch(p.stderrText()); m != nil {
				return m
			}
			t.Fatalf("acctui %s exited (%v) before printing %s:\n%s", strings.Join(p.args, " "), p.err, re, p.stderrText())
		case <-deadline:
			t.Fatalf("acctui %s printed no %s within %s:\n%s", strings.Join(p.args, " "), re, timeout, p.stderrText())
		}
	}
}

// wait waits for the process to exit and returns its result.
func (c *cliEnv) wait(t *testing.T, p *cliProc, timeout time.Duration) cliResult {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		p.cancel()
		<-p.done
		t.Fatalf("acctui %s did not finish within %s:\n%s", strings.Join(p.args, " "), timeout, p.stderrText())
	}
	res := cliResult{args: p.args, stdout: p.stdout.String(), stderr: p.stderrText()}
	var exitErr *exec.ExitError
	switch {
	case p.err == nil:
	case errors.As(p.err, &exitErr):
		res.code = exitErr.ExitCode()
	default:
		t.Fatalf("acctui %s: %v", strings.Join(p.args, " "), p.err)
	}
	c.checkInvariants(t, res)
	return res
}

// tokenOutput is what `acctui token --json` prints.
type tokenOutput struct {
	AccessToken string   `json:"access_token"`
	TokenType   string   `json:"token_type"`
	ExpiresOn   int64    `json:"expires_on"`
	ExpiresIn   int64    `json:"expires_in"`
	Scopes      []string `json:"scopes"`
	Account     struct {
		Username      string `json:"username"`
		HomeAccountID string `json:"home_account_id"`
		TenantID      string `json:"tenant_id"`
	} `json:"account"`
	Source string `json:"source"`
}

// token runs `acctui token --json` with more arguments, expects success
// and remembers the token.
func (c *cliEnv) token(t *testing.T, args ...string) tokenOutput {
	t.Helper()
	res := c.run(t, nil, append([]string{"token", "--json"}, args...)...).want(t, 0)
	var out tokenOutput
	if err := json.Unmarshal([]byte(res.stdout), &out); err != nil {
		t.Fatalf("token --json printed no JSON: %v\n%s", err, res)
	}
	if out.AccessToken == "" {
		t.Fatalf("token --json without an access token:\n%s", res)
	}
	c.s.remember(out.AccessToken, "access token of "+out.Account.Username+" from acctui token")
	return out
}

// plainToken runs `acctui token` and returns its single output line.
func (c *cliEnv) plainToken(t *testing.T, args ...string) string {
	t.Helper()
	res := c.run(t, nil, append([]string{"token"}, args...)...).want(t, 0)
	if !strings.HasSuffix(res.stdout, "\n") || strings.Count(res.stdout, "\n") != 1 {
		t.Fatalf("token printed %q, want the token alone on one line", res.stdout)
	}
	tok := strings.TrimSuffix(res.stdout, "\n")
	c.s.remember(tok, "access token from acctui token")
	return tok
}

// loginPassword signs in by ROPC with the password on stdin.
func (c *cliEnv) loginPassword(t *testing.T, username, password string, extra ...string) cliResult {
	t.Helper()
	stdin := password + "\n"
	return c.run(t, &stdin, append([]string{"login", "--method", "password", "--username", username, "--password-stdin"}, extra...)...)
}

// accountsJSON runs `acctui accounts --json`.
func (c *cliEnv) accountsJSON(t *testing.T) []map[string]any {
	t.Helper()
	res := c.run(t, nil, "accounts", "--json").want(t, 0)
	var accounts []map[string]any
	if err := json.Unmarshal([]byte(res.stdout), &accounts); err != nil {
		t.Fatalf("accounts --json: %v\n%s", err, res)
	}
	return accounts
}

func usernames(accounts []map[string]any) []string {
	var names []string
	for _, a := range accounts {
		name, _ := a["username"].(string)
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// resetRequests empties the emulator's request log.
func (e *emulator) resetRequests(t *testing.T) {
	t.Helper()
	e.admin(t, "DELETE", "/_admin/requests", nil, nil)
}

// closedPort is a loopback port nothing listens on (it was free a moment
// ago).
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// freePort is a loopback port free a moment ago, for --port.
func freePort(t *testing.T) string {
	t.Helper()
	_, port, err := net.SplitHostPort(closedPort(t))
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// msalCacheSecrets returns the secrets of a plain MSAL cache file, by
// section, for the search on disk.
func msalCacheSecrets(t *testing.T, path string) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s is not an MSAL cache: %v", path, err)
	}
	out := map[string][]string{}
	for _, section := range []string{"AccessToken", "RefreshToken", "IdToken"} {
		for _, entry := range doc[section] {
			if s, ok := entry["secret"].(string); ok && s != "" {
				out[section] = append(out[section], s)
			}
		}
	}
	return out
}

// filesUnder lists the regular files under dirs.
func filesUnder(t *testing.T, dirs []string) []string {
	t.Helper()
	var files []string
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type().IsRegular() {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}
