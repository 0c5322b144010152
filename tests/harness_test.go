package tests

// The harness shared by the tests that drive the built acctui binary: the
// build (once per test binary), a running `acctui idp serve --tls` and its
// /_admin/ control API and request log.
//
// A test that starts its own emulator and makes its own environments
// (HOME, XDG directories, vault) shares nothing with the others and runs
// with t.Parallel(); the tmux tests of the terminal do not, their timing
// being the terminal's.

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	workDir   string // removed after the tests
	buildOnce sync.Once
	binary    string
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "acctui-tests-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// acctuiBinary builds the acctui command once per test binary.
func acctuiBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binary = filepath.Join(workDir, "acctui")
		// The test clock hook (testclock_on.go) lets the tests move acctui's
		// clock with the emulator's instead of sleeping.
		cmd := exec.Command("go", "build", "-tags", "acctui_testclock", "-o", binary, ".")
		cmd.Dir = ".." // the module root; go test runs in tests/
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binary
}

// requireMSALPython skips (or, on CI, fails) when MSAL Python is missing.
func requireMSALPython(t *testing.T) {
	t.Helper()
	out, err := exec.Command(systemPython, "-c", "import msal; print(msal.__version__)").CombinedOutput()
	if err == nil {
		t.Logf("MSAL Python %s", strings.TrimSpace(string(out)))
		return
	}
	reason := fmt.Sprintf("MSAL Python is not available to %s (%v: %s); install it with: apt-get install -y python3-msal", systemPython, err, strings.TrimSpace(string(out)))
	if os.Getenv("CI") != "" {
		t.Fatal(reason)
	}
	t.Skip(reason)
}

// announcement is the first stdout line of acctui idp serve.
type announcement struct {
	URL       string `json:"url"`
	Authority string `json:"authority"`
	Tenants   map[string]struct {
		ID        string `json:"id"`
		Domain    string `json:"domain"`
		Authority string `json:"authority"`
	} `json:"tenants"`
	CAFile string `json:"ca_file"`
}

// emulator is a running acctui idp serve --tls.
type emulator struct {
	line   string // the announcement as printed, handed to the scripts
	ann    announcement
	client *http.Client // trusts the emulator's CA
	// advanced is how far the emulator's clock was moved, in seconds; every
	// acctui run against it gets the same offset (ACCTUI_TEST_CLOCK_OFFSET).
	advanced atomic.Int64
}

// advanceClock moves the emulator's clock, and so that of every acctui
// run against it from now on, forward by d.
func (e *emulator) advanceClock(t *testing.T, d time.Duration) {
	t.Helper()
	e.admin(t, http.MethodPost, "/_admin/clock", map[string]any{"advance_seconds": int(d / time.Second)}, nil)
	e.advanced.Add(int64(d / time.Second))
}

func startEmulator(t *testing.T) *emulator {
	t.Helper()
	return startEmulatorWith(t)
}

// startEmulatorWith starts the emulator with more idp serve arguments
// (such as --directory FILE).
func startEmulatorWith(t *testing.T, extra ...string) *emulator {
	t.Helper()
	cmd := exec.Command(acctuiBinary(t), append([]string{"idp", "serve", "--tls", "--device-code-interval", "1s"}, extra...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	lines := make(chan string, 1)
	cmd.Stdout = &firstLineWriter{line: lines}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Errorf("emulator did not stop on SIGINT within 5s")
		}
		if t.Failed() {
			t.Logf("emulator stderr:\n%s", stderr.String())
		}
	})

	var line string
	select {
	case line = <-lines:
	case <-exited:
		t.Fatalf("emulator exited before announcing itself: %s", stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatal("emulator printed no first line within 20s")
	}
	e := &emulator{line: strings.TrimSpace(line)}
	if err := json.Unmarshal([]byte(e.line), &e.ann); err != nil {
		t.Fatalf("first line is not the JSON announcement: %v: %q", err, line)
	}
	if e.ann.CAFile == "" || !strings.HasPrefix(e.ann.URL, "https://127.0.0.1:") {
		t.Fatalf("announcement lacks a TLS loopback URL or CA file: %s", e.line)
	}
	if got := e.ann.Tenants["contoso"].ID; got != contosoTenantID {
		t.Fatalf("contoso tenant id = %q, want %q", got, contosoTenantID)
	}
	caPEM, err := os.ReadFile(e.ann.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("no certificate in %s", e.ann.CAFile)
	}
	e.client = &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	t.Cleanup(e.client.CloseIdleConnections)
	return e
}

// firstLineWriter hands the first line written to it over a channel and
// discards the rest.
type firstLineWriter struct {
	mu   sync.Mutex
	buf  []byte
	sent bool
	line chan<- string // buffered, one
}

func (w *firstLineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.sent {
		w.buf = append(w.buf, p...)
		if i := bytes.IndexByte(w.buf, '\n'); i >= 0 {
			w.sent = true
			w.line <- string(w.buf[:i])
			w.buf = nil
		}
	}
	return len(p), nil
}

// admin calls the emulator's control API and decodes its JSON answer.
func (e *emulator) admin(t *testing.T, method, path string, body, out any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.ann.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
}

type requestRecord struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Endpoint  string `json:"endpoint"`
	GrantType string `json:"grant_type"`
	ClientID  string `json:"client_id"`
	Status    int    `json:"status"`
}

func (e *emulator) requests(t *testing.T) []requestRecord {
	t.Helper()
	var recs []requestRecord
	e.admin(t, http.MethodGet, "/_admin/requests", nil, &recs)
	return recs
}

// count counts records of an endpoint, and of a grant type unless empty.
func count(recs []requestRecord, endpoint, grantType string) int {
	n := 0
	for _, r := range recs {
		if r.Endpoint == endpoint && (grantType == "" || r.GrantType == grantType) {
			n++
		}
	}
	return n
}
