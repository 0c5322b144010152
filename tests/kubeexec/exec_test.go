// Package kubeexec checks acctui's Kubernetes exec credential with
// client-go's own exec plugin: a kubeconfig with README's users[].user.exec
// stanza, loaded by clientcmd, authenticates to an API server (httptest)
// that accepts only the token acctui gives. It is a module of its own so
// that acctui's module does not carry client-go; .ci/run runs it.
package kubeexec

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

const (
	aksServerAppID = "6dae42f8-4368-4678-94ff-3960e28e3630"
	aliceUsername  = "alice@contoso.example"
	alicePassword  = "demo-alice"
	passphrase     = "kubeexec test passphrase"
)

// kubeconfigTemplate is README's exec stanza with this test's cluster;
// %[1]s server, %[2]s CA data, %[3]s the acctui binary, %[4]s apiVersion,
// %[5]s env entries.
const kubeconfigTemplate = `apiVersion: v1
kind: Config
clusters:
- name: aks
  cluster:
    server: %[1]s
    certificate-authority-data: %[2]s
contexts:
- name: aks
  context:
    cluster: aks
    user: acctui
current-context: aks
users:
- name: acctui
  user:
    exec:
      apiVersion: %[4]s
      command: %[3]s
      args:
      - token
      - --output
      - exec-credential
      - --scope
      - 6dae42f8-4368-4678-94ff-3960e28e3630/.default
      interactiveMode: Never
      env:
%[5]s`

func TestClientGoExecCredential(t *testing.T) {
	bin := buildAcctui(t)
	env := newUserEnv(t, bin)
	env.run(t, alicePassword+"\n", "login", "--method", "password", "--username", aliceUsername, "--password-stdin")
	want := strings.TrimSpace(env.run(t, "", "token", "--scope", aksServerAppID+"/.default"))

	var mu sync.Mutex
	var seen []string
	api := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		mu.Lock()
		seen = append(seen, auth)
		mu.Unlock()
		if auth != "Bearer "+want {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"major":"1","minor":"37","gitVersion":"v1.37.0"}`)
	}))
	defer api.Close()
	caData := base64.StdEncoding.EncodeToString(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: api.Certificate().Raw}))

	for _, apiVersion := range []string{"client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"} {
		t.Run(strings.TrimPrefix(apiVersion, "client.authentication.k8s.io/"), func(t *testing.T) {
			mu.Lock()
			seen = nil
			mu.Unlock()
			var envLines strings.Builder
			for _, kv := range env.vars {
				k, v, _ := strings.Cut(kv, "=")
				fmt.Fprintf(&envLines, "      - name: %s\n        value: %q\n", k, v)
			}
			path := filepath.Join(t.TempDir(), "kubeconfig")
			config := fmt.Sprintf(kubeconfigTemplate, api.URL, caData, bin, apiVersion, envLines.String())
			if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := clientcmd.BuildConfigFromFlags("", path)
			if err != nil {
				t.Fatal(err)
			}
			client, err := rest.HTTPClientFor(cfg)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := client.Get(cfg.Host + "/version")
			if err != nil {
				t.Fatalf("client-go's exec plugin: %v", err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("API server answered %d (%s)", resp.StatusCode, body)
			}
			var version struct{ GitVersion string }
			if err := json.Unmarshal(body, &version); err != nil || version.GitVersion != "v1.37.0" {
				t.Fatalf("version %q: %v", body, err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seen) == 0 || seen[len(seen)-1] != "Bearer "+want {
				t.Errorf("the API server did not see acctui's token")
			}
		})
	}
}

// buildAcctui builds the acctui binary of the enclosing repository.
func buildAcctui(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "acctui")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// userEnv is one person with a vault of their own, signed in against a
// running acctui idp serve --tls.
type userEnv struct {
	bin  string
	vars []string
}

func newUserEnv(t *testing.T, bin string) *userEnv {
	t.Helper()
	root := t.TempDir()
	idp := exec.Command(bin, "idp", "serve", "--tls")
	stdout, err := idp.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	idp.Stderr = &stderr
	if err := idp.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = idp.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = idp.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = idp.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("emulator: %v\n%s", err, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	var ann struct {
		Authority string `json:"authority"`
		CAFile    string `json:"ca_file"`
	}
	if err := json.Unmarshal([]byte(line), &ann); err != nil {
		t.Fatalf("emulator announcement %q: %v", line, err)
	}
	dir := func(name string) string {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		return p
	}
	return &userEnv{bin: bin, vars: []string{
		"HOME=" + dir("home"),
		"XDG_CONFIG_HOME=" + dir("config"),
		"XDG_DATA_HOME=" + dir("data"),
		"ACCTUI_VAULT_DIR=" + dir("vault"),
		"ACCTUI_VAULT_BACKEND=file",
		"ACCTUI_VAULT_PASSPHRASE=" + passphrase,
		"ACCTUI_KEYCTL_CACHE=0",
		"ACCTUI_AUTHORITY=" + ann.Authority,
		"ACCTUI_CA_FILE=" + ann.CAFile,
	}}
}

// run runs acctui and returns its stdout; a failure ends the test.
func (u *userEnv) run(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(u.bin, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, u.vars...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("acctui %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}
