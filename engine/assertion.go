package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"
)

// maxAssertionBytes bounds a federated token read from a file or command.
const maxAssertionBytes = 64 << 10

// assertionCredential presents a token from another identity provider
// (Kubernetes, GitHub Actions, another tenant) as the client assertion of a
// workload identity federation. The token is fetched fresh on every
// request because its issuer rotates it, often every hour.
type assertionCredential struct {
	source string
	fetch  func(ctx context.Context) ([]byte, error)
}

// NewAssertionFileCredential reads the federated token from path on every
// request, as azidentity does with AZURE_FEDERATED_TOKEN_FILE.
func NewAssertionFileCredential(path string) (ClientCredential, error) {
	if strings.TrimSpace(path) == "" {
		return nil, errors.New("engine: federated token file: no path given")
	}
	return &assertionCredential{source: "file " + path, fetch: func(context.Context) ([]byte, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		return io.ReadAll(io.LimitReader(f, maxAssertionBytes+1))
	}}, nil
}

// NewAssertionCommandCredential runs name with args on every request and
// takes its standard output as the federated token. The command sees this
// process's environment without acctui's own variables (the vault
// passphrase): it usually needs the CI's token-request variables.
func NewAssertionCommandCredential(name string, args ...string) (ClientCredential, error) {
	if strings.TrimSpace(name) == "" {
		return nil, errors.New("engine: federated token command: no command given")
	}
	return &assertionCredential{source: "command " + name, fetch: func(ctx context.Context) ([]byte, error) {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Env = withoutAcctuiVariables(os.Environ())
		var stdout bytes.Buffer
		cmd.Stdout = &limitedWriter{w: &stdout, left: maxAssertionBytes + 1}
		if err := cmd.Run(); err != nil {
			return nil, err
		}
		return stdout.Bytes(), nil
	}}, nil
}

// NewAssertionCallback calls fetch on every request for the federated
// token.
func NewAssertionCallback(fetch func(ctx context.Context) (string, error)) ClientCredential {
	return &assertionCredential{source: "callback", fetch: func(ctx context.Context) ([]byte, error) {
		s, err := fetch(ctx)
		return []byte(s), err
	}}
}

func (*assertionCredential) Kind() string { return "federated" }

func (a *assertionCredential) fingerprint() string { return a.source }

// String names where the token comes from, never the token.
func (a *assertionCredential) String() string {
	return "engine.ClientCredential{federated " + a.source + "}"
}

// GoString is String, for %#v.
func (a *assertionCredential) GoString() string { return a.String() }

func (a *assertionCredential) authenticate(ctx context.Context, _, _ string, now time.Time) (url.Values, error) {
	raw, err := a.fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("engine: federated token from %s: %w", a.source, err)
	}
	if len(raw) > maxAssertionBytes {
		return nil, fmt.Errorf("engine: federated token from %s: longer than %d bytes", a.source, maxAssertionBytes)
	}
	token := strings.TrimSpace(string(raw))
	if token == "" {
		return nil, fmt.Errorf("engine: federated token from %s: it is empty", a.source)
	}
	decoded, err := DecodeClaimsUnverified(token)
	if err != nil {
		return nil, fmt.Errorf("engine: federated token from %s: not a JWT", a.source)
	}
	if exp, ok := claimInt(decoded.Claims, "exp"); ok && !now.Before(time.Unix(exp, 0)) {
		return nil, fmt.Errorf("engine: federated token from %s: it expired at %s; its issuer must write a new one",
			a.source, time.Unix(exp, 0).UTC().Format(time.RFC3339))
	}
	return assertionFields(token), nil
}

// withoutAcctuiVariables drops ACCTUI_* from environ.
func withoutAcctuiVariables(environ []string) []string {
	out := make([]string, 0, len(environ))
	for _, kv := range environ {
		if !strings.HasPrefix(strings.ToUpper(kv), "ACCTUI_") {
			out = append(out, kv)
		}
	}
	return out
}

// limitedWriter keeps at most left bytes and drops the rest, so a runaway
// command cannot fill memory.
type limitedWriter struct {
	w    io.Writer
	left int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	n := len(p)
	if len(p) > l.left {
		p = p[:l.left]
	}
	l.left -= len(p)
	if _, err := l.w.Write(p); err != nil {
		return 0, err
	}
	return n, nil
}
