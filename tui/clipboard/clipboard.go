// Package clipboard copies text (an access token) to the user's clipboard
// through a native tool (wl-copy, xclip, xsel, pbcopy, clip.exe) or the
// terminal's OSC 52 escape sequence, and clears it afterwards when it can read
// the clipboard back and it still holds what was copied.
package clipboard

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Mode chooses how text reaches the clipboard.
type Mode string

// The modes. Auto picks OSC 52 over SSH or when no native tool exists, else
// the native tool.
const (
	Auto   Mode = "auto"
	Native Mode = "native"
	OSC52  Mode = "osc52"
)

// ParseMode reads a mode name; "" is Auto.
func ParseMode(s string) (Mode, error) {
	switch Mode(strings.ToLower(strings.TrimSpace(s))) {
	case "", Auto:
		return Auto, nil
	case Native:
		return Native, nil
	case OSC52, "osc-52":
		return OSC52, nil
	}
	return "", fmt.Errorf("clipboard mode %q: want auto, native or osc52", s)
}

// Writer puts text on a clipboard. Name says how, for the status line
// ("wl-copy", "OSC 52 (tmux passthrough)").
type Writer interface {
	Name() string
	Write(ctx context.Context, text string) error
}

// Reader reads the clipboard back. Only a Writer that is also a Reader can
// have its copy cleared safely.
type Reader interface {
	Read(ctx context.Context) (string, error)
}

// Clearer empties the clipboard.
type Clearer interface {
	Clear(ctx context.Context) error
}

// ErrNoTool means no native clipboard tool was found.
var ErrNoTool = errors.New("clipboard: no clipboard tool found (wl-copy, xclip, xsel, pbcopy or clip.exe)")

// Env is what the choice of a clipboard depends on; the zero value's nil
// functions mean "not set" and "not found".
type Env struct {
	Getenv   func(string) string
	LookPath func(string) (string, error)
	GOOS     string
	// WSL is set on Linux under Windows Subsystem for Linux.
	WSL bool
	// Terminal receives OSC 52 sequences.
	Terminal io.Writer
	// TmuxVersion reports the running tmux's version; nil means unknown.
	TmuxVersion func() (major, minor int, err error)
	// TmuxPassthrough reports tmux's allow-passthrough option (tmux 3.3
	// and later); nil means off, tmux's default.
	TmuxPassthrough func() bool
}

// Choose returns the Writer for mode in env. Inside tmux 3.2 or later,
// auto hands the text to tmux (load-buffer -w), which also reaches the outer
// terminal with tmux's default options; an older tmux always allows OSC 52
// passthrough. Outside tmux, auto takes the native tool unless over SSH,
// and OSC 52 where there is none.
func Choose(mode Mode, env Env) (Writer, error) {
	getenv := env.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	inTmux := getenv("TMUX") != ""
	osc := &OSC52Writer{Out: env.Terminal, Tmux: inTmux}
	switch mode {
	case OSC52:
		if inTmux && !passthroughAllowed(env) {
			// Passthrough only where tmux allows it: the plain sequence
			// reaches tmux, which keeps it (set-clipboard on) or drops it.
			osc.Tmux, osc.TmuxBlocked = false, true
		}
		return osc, nil
	case Native:
		if n := findNative(env); n != nil {
			return n, nil
		}
		return nil, ErrNoTool
	}
	if inTmux {
		version := env.TmuxVersion
		if version == nil {
			version = func() (int, int, error) { return 0, 0, errNoVersion }
		}
		major, minor, err := version()
		if err == nil && (major > 3 || major == 3 && minor >= 2) {
			return &TmuxBuffer{}, nil
		}
		return osc, nil
	}
	if getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != "" {
		return osc, nil
	}
	if n := findNative(env); n != nil {
		return n, nil
	}
	return osc, nil
}

// Outcome is what a clear attempt did.
type Outcome int

// The outcomes of ClearIfUnchanged.
const (
	// Cleared: the clipboard still held the text and was emptied.
	Cleared Outcome = iota
	// Changed: the clipboard holds something else now; it was left alone.
	Changed
	// Unreadable: the clipboard cannot be read back, so it was left alone.
	Unreadable
)

// ClearIfUnchanged empties the clipboard only if it can be read back and
// still holds text, so a user's later copy is never destroyed.
func ClearIfUnchanged(ctx context.Context, w Writer, text string) (Outcome, error) {
	return clearIf(ctx, w, func(got string) bool { return got == text })
}

// clearIf empties the clipboard if it can be read back and same says it
// still holds the copy.
func clearIf(ctx context.Context, w Writer, same func(string) bool) (Outcome, error) {
	r, ok := w.(Reader)
	if !ok {
		return Unreadable, nil
	}
	got, err := r.Read(ctx)
	if err != nil {
		return Unreadable, err
	}
	if !same(strings.TrimRight(got, "\r\n")) {
		return Changed, nil
	}
	if c, ok := w.(Clearer); ok {
		err = c.Clear(ctx)
	} else {
		err = w.Write(ctx, "")
	}
	if err != nil {
		return Unreadable, err
	}
	return Cleared, nil
}

// CanClear reports whether copies made with w can be cleared later.
func CanClear(w Writer) bool {
	_, ok := w.(Reader)
	return ok
}

// OSC52Writer writes the OSC 52 escape sequence to the terminal, which puts
// the text on the clipboard of the machine the terminal runs on, even over
// SSH. It cannot read the clipboard back.
type OSC52Writer struct {
	// Out is the terminal; the TUI sends Sequence through the renderer
	// instead when it is nil.
	Out io.Writer
	// Tmux wraps the sequence in tmux's passthrough.
	Tmux bool
	// TmuxBlocked says the program runs in a tmux that does not allow
	// passthrough, so the plain sequence goes to tmux itself.
	TmuxBlocked bool
}

// Name says OSC 52, and whether tmux passthrough is used.
func (o *OSC52Writer) Name() string {
	if o.Tmux {
		return "OSC 52 (tmux passthrough)"
	}
	return "OSC 52"
}

// Write sends the sequence to Out.
func (o *OSC52Writer) Write(_ context.Context, text string) error {
	if o.Out == nil {
		return errors.New("clipboard: OSC 52 needs a terminal to write to")
	}
	_, err := io.WriteString(o.Out, o.Sequence(text))
	return err
}

// Sequence is the escape sequence that sets the clipboard to text.
func (o *OSC52Writer) Sequence(text string) string {
	return Sequence(text, o.Tmux)
}

// Sequence is the OSC 52 escape sequence that sets the system clipboard to
// text; with tmux it is wrapped in tmux's passthrough (ESC P tmux; …
// ESC \, every ESC inside doubled), which tmux forwards when
// allow-passthrough is on.
func Sequence(text string, tmux bool) string {
	seq := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\x07"
	if !tmux {
		return seq
	}
	return "\x1bPtmux;" + strings.ReplaceAll(seq, "\x1b", "\x1b\x1b") + "\x1b\\"
}

// passthroughAllowed reports whether tmux passes escape sequences through:
// always before 3.3, else as allow-passthrough says.
func passthroughAllowed(env Env) bool {
	if env.TmuxVersion != nil {
		if major, minor, err := env.TmuxVersion(); err == nil && (major < 3 || major == 3 && minor < 3) {
			return true
		}
	}
	return env.TmuxPassthrough != nil && env.TmuxPassthrough()
}
