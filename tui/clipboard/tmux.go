package clipboard

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"acctui/internal/childenv"
)

// waitDelay bounds how long a finished tool's pipes are waited on: a tool
// that leaves a child holding them must not hang the copy.
const waitDelay = time.Second

// TmuxBuffer hands the text to tmux itself (tmux load-buffer -w, tmux 3.2
// and later): it becomes the newest paste buffer, and tmux forwards it to
// the outer terminal's clipboard when set-clipboard is not off and the
// attached terminal supports OSC 52. Unlike OSC 52 passthrough, this works
// with tmux's default options.
type TmuxBuffer struct {
	// Program is the tmux binary; "" means "tmux".
	Program string

	mu sync.Mutex
	// forwarded records whether tmux passed the last Write on to an
	// attached terminal's clipboard; probed says it was asked.
	forwarded, probed bool
}

func (t *TmuxBuffer) program() string {
	if t.Program == "" {
		return "tmux"
	}
	return t.Program
}

// Name says where the last Write landed, for the status line; it asks tmux
// once after each Write.
func (t *TmuxBuffer) Name() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.probed {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		t.forwarded, t.probed = t.forwards(ctx), true
		cancel()
	}
	if t.forwarded {
		return "the tmux buffer and the terminal clipboard"
	}
	return "the tmux buffer (tmux does not pass it on to the terminal: set-clipboard is off or no attached terminal takes OSC 52)"
}

// Write loads text into a new tmux paste buffer and asks tmux to send it
// to the terminal's clipboard too (Name then says whether it did).
func (t *TmuxBuffer) Write(ctx context.Context, text string) error {
	t.mu.Lock()
	t.probed = false
	t.mu.Unlock()
	_, err := t.run(ctx, text, "load-buffer", "-w", "-")
	return err
}

// forwards reports whether tmux sends buffers to some attached terminal's
// clipboard: set-clipboard is not off and a client has the clipboard
// feature.
func (t *TmuxBuffer) forwards(ctx context.Context) bool {
	mode, err := t.run(ctx, "", "show-options", "-gv", "set-clipboard")
	if err != nil || strings.TrimSpace(mode) == "off" {
		return false
	}
	features, err := t.run(ctx, "", "list-clients", "-F", "#{client_termfeatures}")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(features, "\n") {
		for _, f := range strings.Split(line, ",") {
			if f == "clipboard" {
				return true
			}
		}
	}
	return false
}

// Read returns the newest paste buffer, which is what prefix-] pastes.
func (t *TmuxBuffer) Read(ctx context.Context) (string, error) {
	return t.run(ctx, "", "save-buffer", "-")
}

// Clear deletes the newest paste buffer. The terminal's own clipboard
// cannot be read back through tmux, so it is left alone rather than risk
// overwriting something the user copied there since.
func (t *TmuxBuffer) Clear(ctx context.Context) error {
	_, err := t.run(ctx, "", "delete-buffer")
	return err
}

// ClearedWhat says what Clear empties, for the status line.
func (t *TmuxBuffer) ClearedWhat() string {
	return "the tmux buffer (the terminal's clipboard cannot be read back through tmux; it keeps the token until you copy something else)"
}

func (t *TmuxBuffer) run(ctx context.Context, stdin string, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	cmd := exec.CommandContext(ctx, t.program(), args...)
	cmd.Env = childenv.Scrubbed(environ())
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.WaitDelay = waitDelay
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(errOut.String()); msg != "" {
			return "", fmt.Errorf("clipboard: tmux %s: %s", args[0], firstLine(msg))
		}
		return "", fmt.Errorf("clipboard: tmux %s: %w", args[0], err)
	}
	return out.String(), nil
}

// firstLine keeps a tool's error message to one line.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// errNoVersion means tmux -V printed nothing readable.
var errNoVersion = errors.New("clipboard: unreadable tmux version")

// tmuxVersion runs tmux -V and reads its major and minor version ("tmux
// 3.3a", "tmux next-3.4").
func tmuxVersion(lookPath func(string) (string, error)) (major, minor int, err error) {
	path, err := lookPath("tmux")
	if err != nil {
		return 0, 0, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-V")
	cmd.Env = childenv.Scrubbed(environ())
	cmd.WaitDelay = waitDelay
	out, err := cmd.Output()
	if err != nil {
		return 0, 0, err
	}
	return parseTmuxVersion(string(out))
}

func parseTmuxVersion(s string) (major, minor int, err error) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, "0123456789")
	if i < 0 {
		return 0, 0, errNoVersion
	}
	s = s[i:]
	majStr, rest, ok := strings.Cut(s, ".")
	if !ok {
		return 0, 0, errNoVersion
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	major, err1 := strconv.Atoi(majStr)
	minor, err2 := strconv.Atoi(rest[:end])
	if err1 != nil || err2 != nil {
		return 0, 0, errNoVersion
	}
	return major, minor, nil
}

// tmuxPassthrough asks the running tmux for its allow-passthrough option.
func tmuxPassthrough(lookPath func(string) (string, error)) bool {
	path, err := lookPath("tmux")
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "show-options", "-gv", "allow-passthrough")
	cmd.Env = childenv.Scrubbed(environ())
	cmd.WaitDelay = waitDelay
	out, err := cmd.Output()
	if err != nil {
		return false
	}
	v := strings.TrimSpace(string(out))
	return v == "on" || v == "all"
}
