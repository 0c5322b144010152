package clipboard

import (
	"bufio"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"acctui/internal/childenv"
)

// ClearerEnv names the variable that makes an acctui process the detached
// clearer of a copy, as `pass -c` leaves one behind: its value is
// "<milliseconds>:<tool>", and the SHA-256 of the copied text arrives on
// standard input, so the text itself is in no argument, variable or file.
const ClearerEnv = "ACCTUI_CLIPBOARD_CLEARER"

// ErrNotDetachable means a clipboard has no tool a separate process could
// use to clear it (OSC 52, a test's fake).
var ErrNotDetachable = errors.New("clipboard: no tool that a separate process can clear")

// toolName is the name a detached clearer finds w by.
func toolName(w Writer) (string, bool) {
	switch w := w.(type) {
	case *TmuxBuffer:
		return "tmux", true
	case nativeReader:
		return w.ToolName, true
	}
	return "", false
}

// byName finds the clipboard a detached clearer was told to clear.
func byName(name string, env Env) (Writer, error) {
	if name == "tmux" {
		return &TmuxBuffer{}, nil
	}
	for _, c := range candidates(env) {
		if c.ToolName == name && len(c.PasteArgv) > 0 {
			return c.Writer(), nil
		}
	}
	return nil, fmt.Errorf("clipboard: unknown tool %q", name)
}

// SpawnClearer starts exe (acctui itself) as a detached process that clears
// the clipboard after the given time if it still holds text, also when the
// TUI has quit by then. Its environment has no secrets.
func SpawnClearer(exe string, w Writer, after time.Duration, text string) error {
	name, ok := toolName(w)
	if !ok {
		return ErrNotDetachable
	}
	sum := sha256.Sum256([]byte(text))
	cmd := exec.Command(exe)
	cmd.Env = append(childenv.Scrubbed(environ()), ClearerEnv+"="+strconv.FormatInt(after.Milliseconds(), 10)+":"+name)
	cmd.Stdin = strings.NewReader(hex.EncodeToString(sum[:]) + "\n")
	cmd.SysProcAttr = detachedAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("clipboard: start the clearer: %w", err)
	}
	// Reap it if acctui is still running when it ends.
	go cmd.Wait()
	return nil
}

// RunClearer is the detached clearer's work: it reads the digest from in,
// waits, and clears the named clipboard if it still holds the text with
// that digest.
func RunClearer(ctx context.Context, spec string, in io.Reader, env Env) (Outcome, error) {
	msStr, name, ok := strings.Cut(spec, ":")
	ms, err := strconv.ParseInt(msStr, 10, 64)
	if !ok || err != nil || ms < 0 {
		return Unreadable, fmt.Errorf("clipboard: clearer: bad %s %q", ClearerEnv, spec)
	}
	line, err := bufio.NewReader(io.LimitReader(in, 200)).ReadString('\n')
	want, hexErr := hex.DecodeString(strings.TrimSpace(line))
	if (err != nil && line == "") || hexErr != nil || len(want) != sha256.Size {
		return Unreadable, errors.New("clipboard: clearer: no digest on standard input")
	}
	w, err := byName(name, env)
	if err != nil {
		return Unreadable, err
	}
	timer := time.NewTimer(time.Duration(ms) * time.Millisecond)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return Unreadable, ctx.Err()
	case <-timer.C:
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return clearIf(ctx, w, func(got string) bool {
		sum := sha256.Sum256([]byte(got))
		return subtle.ConstantTimeCompare(sum[:], want) == 1
	})
}
