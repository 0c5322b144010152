package clipboard

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestSequence(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString([]byte("tok"))
	tests := []struct {
		tmux bool
		want string
	}{
		{false, "\x1b]52;c;" + b64 + "\x07"},
		{true, "\x1bPtmux;\x1b\x1b]52;c;" + b64 + "\x07\x1b\\"},
	}
	for _, tt := range tests {
		if got := Sequence("tok", tt.tmux); got != tt.want {
			t.Errorf("Sequence(tmux=%v) = %q, want %q", tt.tmux, got, tt.want)
		}
	}
	var out strings.Builder
	w := &OSC52Writer{Out: &out}
	if err := w.Write(context.Background(), "tok"); err != nil || out.String() != tests[0].want {
		t.Fatalf("Write = %q, %v", out.String(), err)
	}
}

func TestChoose(t *testing.T) {
	all := func(string) (string, error) { return "/usr/bin/x", nil }
	none := func(string) (string, error) { return "", errors.New("not found") }
	only := func(names ...string) func(string) (string, error) {
		return func(n string) (string, error) {
			for _, m := range names {
				if m == n {
					return "/usr/bin/" + n, nil
				}
			}
			return "", errors.New("not found")
		}
	}
	envs := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tmux33 := func() (int, int, error) { return 3, 3, nil }
	tests := []struct {
		name      string
		mode      Mode
		env       Env
		want      string
		wantClear bool
		wantErr   bool
	}{
		{name: "wayland", mode: Auto, env: Env{GOOS: "linux", Getenv: envs("WAYLAND_DISPLAY", "wayland-0"), LookPath: all}, want: "wl-copy", wantClear: true},
		{name: "x11 xclip", mode: Auto, env: Env{GOOS: "linux", Getenv: envs("DISPLAY", ":0"), LookPath: all}, want: "xclip", wantClear: true},
		{name: "x11 xsel only", mode: Auto, env: Env{GOOS: "linux", Getenv: envs("DISPLAY", ":0"), LookPath: only("xsel")}, want: "xsel", wantClear: true},
		{name: "copy without paste", mode: Auto, env: Env{GOOS: "linux", Getenv: envs("WAYLAND_DISPLAY", "w"), LookPath: only("wl-copy")}, want: "wl-copy"},
		{name: "macOS", mode: Auto, env: Env{GOOS: "darwin", LookPath: all}, want: "pbcopy", wantClear: true},
		{name: "WSL", mode: Auto, env: Env{GOOS: "linux", WSL: true, LookPath: all}, want: "clip.exe", wantClear: true},
		{name: "ssh prefers OSC 52", mode: Auto, env: Env{GOOS: "linux", Getenv: envs("DISPLAY", ":0", "SSH_TTY", "/dev/pts/1"), LookPath: all}, want: "OSC 52"},
		{name: "ssh in tmux 3.3 hands it to tmux", mode: Auto, env: Env{GOOS: "linux", Getenv: envs("SSH_CONNECTION", "1 2 3 4", "TMUX", "/tmp/t"), LookPath: all, TmuxVersion: tmux33}, want: "the tmux buffer", wantClear: true},
		{name: "desktop tmux hands it to tmux", mode: Auto, env: Env{GOOS: "linux", Getenv: envs("DISPLAY", ":0", "TMUX", "/tmp/t"), LookPath: all, TmuxVersion: tmux33}, want: "the tmux buffer", wantClear: true},
		{name: "tmux 3.1 allows passthrough", mode: Auto, env: Env{GOOS: "linux", Getenv: envs("TMUX", "/tmp/t"), LookPath: all, TmuxVersion: func() (int, int, error) { return 3, 1, nil }}, want: "OSC 52 (tmux passthrough)"},
		{name: "native in tmux is native", mode: Native, env: Env{GOOS: "linux", Getenv: envs("DISPLAY", ":0", "TMUX", "/tmp/t"), LookPath: all, TmuxVersion: tmux33}, want: "xclip", wantClear: true},
		{name: "no tool falls back to OSC 52", mode: Auto, env: Env{GOOS: "linux", Getenv: envs("DISPLAY", ":0"), LookPath: none}, want: "OSC 52"},
		{name: "native without tool", mode: Native, env: Env{GOOS: "linux", LookPath: none}, wantErr: true},
		{name: "native over ssh", mode: Native, env: Env{GOOS: "linux", Getenv: envs("DISPLAY", ":0", "SSH_TTY", "x"), LookPath: all}, want: "xclip", wantClear: true},
		{name: "forced OSC 52", mode: OSC52, env: Env{GOOS: "darwin", LookPath: all}, want: "OSC 52"},
		{name: "forced OSC 52 in tmux 3.3 without passthrough", mode: OSC52, env: Env{GOOS: "linux", Getenv: envs("TMUX", "/tmp/t"), TmuxVersion: tmux33}, want: "OSC 52"},
		{name: "forced OSC 52 in tmux 3.3 with passthrough", mode: OSC52, env: Env{GOOS: "linux", Getenv: envs("TMUX", "/tmp/t"), TmuxVersion: tmux33, TmuxPassthrough: func() bool { return true }}, want: "OSC 52 (tmux passthrough)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, err := Choose(tt.mode, tt.env)
			if tt.wantErr {
				if !errors.Is(err, ErrNoTool) {
					t.Fatalf("err = %v, want ErrNoTool", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (tt.want == "OSC 52" && w.Name() != tt.want) || !strings.HasPrefix(w.Name(), tt.want) || CanClear(w) != tt.wantClear {
				t.Fatalf("got %s (can clear %v), want %s (%v)", w.Name(), CanClear(w), tt.want, tt.wantClear)
			}
		})
	}
}

func TestParseMode(t *testing.T) {
	for in, want := range map[string]Mode{"": Auto, "AUTO": Auto, "native": Native, "osc52": OSC52, "osc-52": OSC52} {
		if got, err := ParseMode(in); err != nil || got != want {
			t.Errorf("ParseMode(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseMode("xclip"); err == nil {
		t.Error("ParseMode accepted a tool name")
	}
}

// memory is a clipboard that can be read back.
type memory struct{ text string }

func (m *memory) Name() string                               { return "memory" }
func (m *memory) Write(_ context.Context, text string) error { m.text = text; return nil }
func (m *memory) Read(context.Context) (string, error)       { return m.text + "\n", nil }

// blind cannot be read back.
type blind struct{ memory }

func (b *blind) Read() {} // not a Reader

func TestClearIfUnchanged(t *testing.T) {
	tests := []struct {
		name     string
		w        Writer
		after    string
		want     Outcome
		wantLeft string
	}{
		{name: "still there", w: &memory{}, want: Cleared, wantLeft: ""},
		{name: "changed", w: &memory{}, after: "mine", want: Changed, wantLeft: "mine"},
		{name: "unreadable", w: &blind{}, want: Unreadable, wantLeft: "tok"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			tt.w.Write(ctx, "tok")
			if tt.after != "" {
				tt.w.Write(ctx, tt.after)
			}
			got, err := ClearIfUnchanged(ctx, tt.w, "tok")
			if err != nil || got != tt.want {
				t.Fatalf("ClearIfUnchanged = %v, %v; want %v", got, err, tt.want)
			}
			var left string
			switch w := tt.w.(type) {
			case *memory:
				left = w.text
			case *blind:
				left = w.text
			}
			if left != tt.wantLeft {
				t.Fatalf("clipboard holds %q, want %q", left, tt.wantLeft)
			}
		})
	}
}

func TestNativeToolRunsCommands(t *testing.T) {
	file := t.TempDir() + "/clip"
	tool := &NativeTool{
		ToolName:  "sh",
		CopyArgv:  []string{"sh", "-c", "cat > " + file},
		PasteArgv: []string{"cat", file},
	}
	w := tool.Writer()
	ctx := context.Background()
	if err := w.Write(ctx, "tok"); err != nil {
		t.Fatal(err)
	}
	got, err := ClearIfUnchanged(ctx, w, "tok")
	if err != nil || got != Cleared {
		t.Fatalf("ClearIfUnchanged = %v, %v", got, err)
	}
	if text, _ := w.(Reader).Read(ctx); text != "" {
		t.Fatalf("clipboard holds %q after clearing", text)
	}
}
