package idptest

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTLSCertificateNames(t *testing.T) {
	srv := startTLS(t)
	if !strings.HasPrefix(srv.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL = %s", srv.URL())
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(srv.CACertPEM()) {
		t.Fatal("CACertPEM is not PEM")
	}
	port := srv.URL()[strings.LastIndex(srv.URL(), ":")+1:]
	for _, name := range []string{"127.0.0.1", "localhost"} {
		conn, err := tls.Dial("tcp", "127.0.0.1:"+port, &tls.Config{RootCAs: pool, ServerName: name})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		conn.Close()
	}
	conn, err := tls.Dial("tcp", "127.0.0.1:"+port, &tls.Config{RootCAs: pool, ServerName: "::1"})
	if err != nil {
		t.Errorf("::1: %v", err)
	} else {
		conn.Close()
	}
	if _, err := http.Get(srv.URL() + "/"); err == nil {
		t.Error("an untrusting client must fail the handshake")
	}
	if _, err := srv.Client().Get(srv.URL() + "/"); err != nil {
		t.Errorf("Client(): %v", err)
	}
}

func TestPlainHTTPAndAuthority(t *testing.T) {
	srv := Start(t, Options{})
	if !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") || srv.CACertPEM() != nil {
		t.Fatalf("URL %s", srv.URL())
	}
	if srv.Authority("contoso") != srv.URL()+"/"+ContosoTenantID || srv.Authority("organizations") != srv.URL()+"/organizations" {
		t.Errorf("Authority: %s %s", srv.Authority("contoso"), srv.Authority("organizations"))
	}
	if srv.DefaultAuthority() != srv.Authority("contoso") {
		t.Errorf("DefaultAuthority %s", srv.DefaultAuthority())
	}
	if status, _ := call(t, srv, http.MethodGet, "/contoso.example/v2.0/.well-known/openid-configuration", nil); status != 200 {
		t.Errorf("HTTP %d", status)
	}
}

func TestListenRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:0", "[::]:0", "example.com:80"} {
		if _, err := New(Options{Listen: addr}); !IsListenRefused(err) {
			t.Errorf("%s: err = %v", addr, err)
		}
	}
}

func TestLoadDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dir.json")
	os.WriteFile(path, []byte(`{"tenants":[{"name":"t","id":"0a0a0a0a-0000-4000-8000-000000000000","domain":"t.example",
		"users":[{"username":"u@t.example","password":"p","mfa_required":true}]}],
		"apps":[{"client_id":"c","name":"C","public":true}]}`), 0o600)
	dir, err := LoadDirectory(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := Start(t, Options{Directory: dir})
	status, body := postToken(t, srv, "t.example", passwordForm("c", "u@t.example", "p", graphScope))
	wantError(t, status, body, 400, "interaction_required", 50076)

	bad := map[string]string{
		"not json":             `{`,
		"no tenants":           `{"tenants":[]}`,
		"public with a secret": `{"tenants":[{"name":"t","id":"x","domain":"d"}],"apps":[{"client_id":"c","public":true,"secret":"s"}]}`,
		"repeated user":        `{"tenants":[{"name":"t","id":"x","domain":"d","users":[{"username":"a"},{"username":"A"}]}]}`,
	}
	for name, content := range bad {
		os.WriteFile(path, []byte(content), 0o600)
		if _, err := LoadDirectory(path); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
