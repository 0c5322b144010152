package clipboard

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"acctui/internal/childenv"
)

// NativeTool copies with one command and reads back with another (when
// PasteArgv is set).
type NativeTool struct {
	ToolName  string
	CopyArgv  []string
	PasteArgv []string
	// ClearArgv empties the clipboard; nil means copying "".
	ClearArgv []string
}

// Name is the copy command's name ("wl-copy").
func (n *NativeTool) Name() string { return n.ToolName }

// Write runs the copy command with text on its standard input. Its output
// goes nowhere: tools such as wl-copy and xclip leave a process behind to
// serve the selection, and waiting on its pipes would hang.
func (n *NativeTool) Write(ctx context.Context, text string) error {
	cmd := command(ctx, n.CopyArgv)
	cmd.Stdin = strings.NewReader(text)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("clipboard: %s: %w", n.ToolName, err)
	}
	return nil
}

// nativeReader is a NativeTool that can read back.
type nativeReader struct{ *NativeTool }

// Read runs the paste command.
func (n nativeReader) Read(ctx context.Context) (string, error) {
	var out bytes.Buffer
	cmd := command(ctx, n.PasteArgv)
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("clipboard: %s: %w", n.PasteArgv[0], err)
	}
	return out.String(), nil
}

// Clear runs the clear command, or copies "".
func (n nativeReader) Clear(ctx context.Context) error {
	if len(n.ClearArgv) == 0 {
		return n.Write(ctx, "")
	}
	return command(ctx, n.ClearArgv).Run()
}

// environ is the environment a tool's scrubbed one is made from.
var environ = os.Environ

// command runs a tool under ctx with an environment without secrets; a
// tool that leaves a child holding its pipes is waited on for waitDelay at
// most.
func command(ctx context.Context, argv []string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = childenv.Scrubbed(environ())
	cmd.WaitDelay = waitDelay
	return cmd
}

// Writer returns the tool as a Writer, and a Reader when it can paste.
func (n *NativeTool) Writer() Writer {
	if len(n.PasteArgv) > 0 {
		return nativeReader{n}
	}
	return n
}

// candidates lists the native tools for a platform, best first.
func candidates(env Env) []NativeTool {
	getenv := env.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	switch {
	case env.GOOS == "darwin":
		return []NativeTool{{ToolName: "pbcopy", CopyArgv: []string{"pbcopy"}, PasteArgv: []string{"pbpaste"}}}
	case env.GOOS == "windows" || env.WSL:
		return []NativeTool{
			{ToolName: "clip.exe", CopyArgv: []string{"clip.exe"}, PasteArgv: []string{"powershell.exe", "-NoProfile", "-NonInteractive", "-Command", "Get-Clipboard"}},
		}
	}
	var list []NativeTool
	if getenv("WAYLAND_DISPLAY") != "" {
		list = append(list, NativeTool{ToolName: "wl-copy", CopyArgv: []string{"wl-copy"}, PasteArgv: []string{"wl-paste", "--no-newline"}, ClearArgv: []string{"wl-copy", "--clear"}})
	}
	if getenv("DISPLAY") != "" {
		list = append(list,
			NativeTool{ToolName: "xclip", CopyArgv: []string{"xclip", "-selection", "clipboard", "-in"}, PasteArgv: []string{"xclip", "-selection", "clipboard", "-out"}},
			NativeTool{ToolName: "xsel", CopyArgv: []string{"xsel", "--clipboard", "--input"}, PasteArgv: []string{"xsel", "--clipboard", "--output"}, ClearArgv: []string{"xsel", "--clipboard", "--clear"}})
	}
	return list
}

// findNative returns the first tool whose copy command exists; its paste
// command is kept only if it exists too.
func findNative(env Env) Writer {
	if env.LookPath == nil {
		return nil
	}
	for _, c := range candidates(env) {
		if _, err := env.LookPath(c.CopyArgv[0]); err != nil {
			continue
		}
		tool := c
		if len(tool.PasteArgv) > 0 {
			if _, err := env.LookPath(tool.PasteArgv[0]); err != nil {
				tool.PasteArgv = nil
			}
		}
		return tool.Writer()
	}
	return nil
}

// SystemEnv is the environment of this process: its variables, $PATH and
// platform. OSC 52 sequences go to terminal (nil: the caller sends them).
func SystemEnv(terminal io.Writer) Env {
	return Env{Getenv: os.Getenv, LookPath: exec.LookPath, GOOS: runtime.GOOS, WSL: isWSL(), Terminal: terminal,
		TmuxVersion:     func() (int, int, error) { return tmuxVersion(exec.LookPath) },
		TmuxPassthrough: func() bool { return tmuxPassthrough(exec.LookPath) }}
}

// isWSL reports whether this is Linux under Windows Subsystem for Linux.
func isWSL() bool {
	if runtime.GOOS != "linux" {
		return false
	}
	release, err := os.ReadFile("/proc/sys/kernel/osrelease")
	return err == nil && strings.Contains(strings.ToLower(string(release)), "microsoft")
}
